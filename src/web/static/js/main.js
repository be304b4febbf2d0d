import { ApiError, call, whenUnauthenticated } from './api.js';
import { dataSourcesPage } from './data-sources-page.js';
import { h, replaceContent } from './dom.js';
import { jobPage } from './job-page.js';
import { jobsPage } from './jobs-page.js';
import { notify } from './live.js';
import { canWrite, claimsOf, currentToken, signIn, signOut, takeTokenFromLocation } from './session.js';
import { signInForm } from './sign-in.js';

/**
 * The dashboard: a hash router over three pages (`#/jobs`, `#/jobs/<job_id>`,
 * `#/data-sources`), each rendered from the REST API with the session's token.
 */
const main = document.getElementById('main');
let leave = new AbortController();
let currentPage = '';

function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  const params = new URLSearchParams(query);
  if (parts[0] === 'data-sources') return { name: 'data-sources', params };
  if (parts[0] === 'jobs' && parts[1]) return { name: 'job', id: decodeURIComponent(parts[1]), params };
  return { name: 'jobs', params };
}

const PAGES = { jobs: jobsPage, job: jobPage, 'data-sources': dataSourcesPage };
const TITLES = { jobs: 'Jobs', job: 'Job', 'data-sources': 'Data sources' };

function showChrome(claims) {
  document.getElementById('nav').hidden = !claims;
  document.getElementById('who').hidden = !claims;
  if (claims) {
    const where = claims.workspaceId ? `${claims.domainId} / ${claims.workspaceId}` : claims.domainId;
    document.getElementById('who-text').textContent = `${claims.role} · ${where}`;
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
  for (const link of document.querySelectorAll('[data-nav]')) {
    const active = link.dataset.nav === (route.name === 'job' ? 'jobs' : route.name);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    await PAGES[route.name](main, { ...route, signal: leave.signal, session: { claims, canWrite: canWrite(claims) } });
    if (focusedId) document.getElementById(focusedId)?.focus();
    else if (!samePage) main.focus({ preventScroll: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    replaceContent(main, h('h1', {}, 'Something went wrong'), h('p', { role: 'alert' }, `${error.code ?? ''} ${error.message}`));
  }
}

/** Checks the token with one cheap call before keeping it. */
async function onSignIn(token) {
  if (!claimsOf(token)) throw new Error('This is not a valid costsync token (or it has expired).');
  try {
    await call('/cost-analysis/v1/job/list', { query: { page: { limit: 1 } } }, token);
  } catch (error) {
    throw new Error(`The server refused this token: ${error.message}`);
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
document.getElementById('sign-out').addEventListener('click', () => {
  signOut();
  render();
});
window.addEventListener('hashchange', render);
takeTokenFromLocation();
render();
