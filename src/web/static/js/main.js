// @ts-check
import { ApiError, call, whenUnauthenticated } from './api.js';
import { costsPage } from './costs-page.js';
import { dataSourcePage } from './data-source-page.js';
import { dataSourcesPage } from './data-sources-page.js';
import { h, replaceContent } from './dom.js';
import { jobPage } from './job-page.js';
import { jobsPage } from './jobs-page.js';
import { notify } from './live.js';
import { canWrite, claimsOf, currentToken, signIn, signOut, takeTokenFromLocation } from './session.js';
import { signInForm } from './sign-in.js';

/** @import { Failure } from './api.js' */
/** @import { Claims, Session } from './session.js' */

/**
 * Where the address points; `id` is the job's, on the job page only.
 * @typedef {{ name: 'jobs' | 'data-sources' | 'costs', id?: undefined, params: URLSearchParams }
 *   | { name: 'job' | 'data-source', id: string, params: URLSearchParams }} Route
 */

/**
 * What the router hands a page: its route, a signal aborted when the page is left, the session.
 * @typedef {Route & { signal: AbortSignal, session: Session }} PageContext
 */

/**
 * The dashboard: a hash router over five pages (`#/jobs`, `#/jobs/<job_id>`,
 * `#/data-sources`, `#/data-sources/<id>` (or `/new`), `#/costs`), each rendered from the REST API with the session's token.
 */
const main = /** @type {HTMLElement} */ (document.getElementById('main')); // in index.html
let leave = new AbortController();
let currentPage = '';

/** @returns {Route} */
function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts[0] === 'data-sources' && parts[1]) return { name: 'data-source', id: decodeURIComponent(parts[1]), params };
  if (parts[0] === 'data-sources') return { name: 'data-sources', params };
  if (parts[0] === 'costs') return { name: 'costs', params };
  if (parts[0] === 'jobs' && parts[1]) return { name: 'job', id: decodeURIComponent(parts[1]), params };
  return { name: 'jobs', params };
}

const PAGES = { jobs: jobsPage, job: jobPage, 'data-sources': dataSourcesPage, 'data-source': dataSourcePage, costs: costsPage };
const TITLES = { jobs: 'Jobs', job: 'Job', 'data-sources': 'Data sources', 'data-source': 'Data source', costs: 'Costs' };

/**
 * Navigation and who is signed in, shown only while signed in.
 * @param {Claims | undefined} claims
 */
function showChrome(claims) {
  // #nav, #who and #who-text are in index.html.
  /** @type {HTMLElement} */ (document.getElementById('nav')).hidden = !claims;
  /** @type {HTMLElement} */ (document.getElementById('who')).hidden = !claims;
  if (claims) {
    const where = claims.workspaceId ? `${claims.domainId} / ${claims.workspaceId}` : claims.domainId;
    /** @type {HTMLElement} */ (document.getElementById('who-text')).textContent = `${claims.role} · ${where}`;
  }
}

async function render() {
  leave.abort();
  leave = new AbortController();
  const token = currentToken();
  const claims = token ? claimsOf(token) : undefined;
  showChrome(claims);
  if (!claims) {
    if (token) signOut();
    document.title = 'Sign in · costsync';
    currentPage = 'sign-in';
    replaceContent(main, signInForm(onSignIn, token ? 'Your token has expired; sign in again.' : undefined));
    main.querySelector('input')?.focus();
    return;
  }
  const route = parseRoute();
  const samePage = currentPage === `${route.name}/${route.id ?? ''}`;
  const focusedId = samePage ? document.activeElement?.id : undefined;
  currentPage = `${route.name}/${route.id ?? ''}`;
  document.title = `${TITLES[route.name]}${route.id ? ` ${route.id}` : ''} · costsync`;
  // The [data-nav] elements are the links in index.html's <nav>.
  for (const link of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-nav]'))) {
    const active = link.dataset.nav === (route.name === 'job' ? 'jobs' : route.name === 'data-source' ? 'data-sources' : route.name);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    // parseRoute pairs each page with its route (`id` exactly for the job page); TypeScript cannot
    // correlate `PAGES[route.name]` with `route`, so the page is called as one taking any route.
    const page = /** @type {(main: HTMLElement, context: PageContext) => Promise<void>} */ (PAGES[route.name]);
    await page(main, { ...route, signal: leave.signal, session: { claims, canWrite: canWrite(claims) } });
    if (focusedId) document.getElementById(focusedId)?.focus();
    else if (!samePage) main.focus({ preventScroll: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    const failure = /** @type {Failure} */ (error);
    replaceContent(main, h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, `${failure.code ?? ''} ${failure.message}`));
  }
}

/**
 * Checks the token with one cheap call before keeping it.
 * @param {string} token
 */
async function onSignIn(token) {
  if (!claimsOf(token)) throw new Error('This is not a valid costsync token (or it has expired).');
  try {
    await call('/cost-analysis/v1/job/list', { query: { page: { limit: 1 } } }, token);
  } catch (error) {
    throw new Error(`The server refused this token: ${/** @type {ApiError} */ (error).message}`);
  }
  signIn(token);
  if (!location.hash.startsWith('#/')) location.hash = '#/jobs';
  else render();
}

whenUnauthenticated((error) => {
  signOut();
  notify(`Signed out: ${error.message}`, 'error');
  render();
});
/** @type {HTMLElement} */ (document.getElementById('sign-out')).addEventListener('click', () => {
  signOut();
  render();
});
// A sign-in link (`#token=…`) opened in a tab that already shows the dashboard arrives as a hash change.
window.addEventListener('hashchange', () => {
  takeTokenFromLocation();
  render();
});
takeTokenFromLocation();
render();
