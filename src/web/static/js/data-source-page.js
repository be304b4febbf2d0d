// @ts-check
import { api, call } from './api.js';
import { dataSourceForm } from './data-source-form.js';
import { h, replaceContent } from './dom.js';
import { badge, errorText, progress, timeCell } from './format.js';
import { syncButton } from './job-actions.js';
import { notify } from './live.js';

/** @import { ApiError, DataSource, Job } from './api.js' */
/** @import { Session } from './session.js' */

/**
 * One data source (`#/data-sources/<id>`): its settings as a form (for roles that may write),
 * Verify, Sync now and Deregister, and its job history; `#/data-sources/new` registers one.
 */
const V1 = '/cost-analysis/v1';

/** @param {Job[]} jobs */
function history(jobs) {
  if (jobs.length === 0) return h('p', { class: 'empty' }, 'Never synced.');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'aria-label': 'Job history' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Job', 'Status', 'Tasks', 'Started', 'Error'].map((text) => h('th', { scope: 'col' }, text)),
        ),
      ),
      h(
        'tbody',
        {},
        jobs.map((job) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, h('a', { href: `#/jobs/${job.job_id}` }, h('code', {}, job.job_id))),
            h('td', {}, badge(job.status)),
            h('td', {}, progress(job)),
            h('td', {}, timeCell(job.created_at)),
            h('td', { class: 'error-cell' }, errorText(job)),
          ),
        ),
      ),
    ),
  );
}

/** Deregister, asked twice: the second button says what it does. @param {DataSource} ds */
function deregisterControl(ds) {
  const area = h('div', { class: 'danger-zone' });
  const ask = h('button', { type: 'button', class: 'danger' }, 'Deregister…');
  ask.addEventListener('click', () => {
    const yes = h('button', { type: 'button', class: 'danger' }, `Yes, deregister ${ds.name}`);
    const no = h('button', { type: 'button', class: 'quiet' }, 'Keep it');
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await call(`${V1}/data-source/deregister`, { data_source_id: ds.data_source_id });
        notify(`${ds.name} was deregistered.`);
        location.hash = '#/data-sources';
      } catch (e) {
        const error = /** @type {ApiError} */ (e);
        notify(`Could not deregister ${ds.name}: ${error.code} ${error.message}`, 'error');
        yes.disabled = false;
      }
    });
    no.addEventListener('click', () => replaceContent(area, ask));
    replaceContent(area, h('p', {}, `Deregister ${ds.name}? Its schedule stops; its cost rows are kept.`), yes, no);
    yes.focus();
  });
  area.append(ask);
  return area;
}

/** @param {DataSource} ds */
function verifyButton(ds) {
  const button = h('button', { type: 'button', class: 'quiet' }, 'Verify');
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await call(`${V1}/data-source/verify-plugin`, { data_source_id: ds.data_source_id });
      notify(`${ds.name}: the plugin accepts its options and secret.`);
    } catch (e) {
      const error = /** @type {ApiError} */ (e);
      notify(`${ds.name} did not verify: ${error.code} ${error.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

/**
 * @param {HTMLElement} main
 * @param {{ id: string, signal: AbortSignal, session: Session }} context
 */
export async function dataSourcePage(main, { id, signal, session }) {
  const back = h('p', { class: 'back' }, h('a', { href: '#/data-sources' }, '← All data sources'));
  if (id === 'new') {
    if (!session.canWrite) return replaceContent(main, back, h('p', {}, 'Your role does not register data sources.'));
    const form = dataSourceForm(undefined, (saved) => {
      notify(`${saved.name} was registered.`);
      location.hash = `#/data-sources/${saved.data_source_id}`;
    });
    replaceContent(main, back, h('h1', {}, 'Register a data source'), form);
    /** @type {HTMLElement | null} */ (form.querySelector('input'))?.focus();
    return;
  }
  /** @type {DataSource} */
  const ds = await call(`${V1}/data-source/get`, { data_source_id: id });
  const jobs = await api.jobs({ data_source_id: id, query: { sort: [{ key: 'created_at', desc: true }], page: { limit: 20 } } });
  if (signal.aborted) return;
  const settings = session.canWrite
    ? dataSourceForm(ds, (saved) => {
        notify(`${saved.name} was saved.`);
        dataSourcePage(main, { id, signal, session });
      })
    : h('pre', { class: 'options' }, JSON.stringify(ds.plugin_info?.options ?? {}, null, 2));
  replaceContent(
    main,
    back,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, ds.name, ' ', h('code', { class: 'muted' }, ds.data_source_id)),
      session.canWrite && ds.data_source_type === 'EXTERNAL' ? h('div', { class: 'actions' }, verifyButton(ds), ' ', syncButton(ds)) : null,
    ),
    h(
      'p',
      { class: 'muted' },
      `Plugin ${ds.plugin_info?.plugin_id ?? 'none (local)'} · last synchronized `,
      timeCell(ds.last_synchronized_at),
    ),
    h('section', { 'aria-labelledby': 'settings-title' }, h('h2', { id: 'settings-title' }, 'Settings'), settings),
    h(
      'section',
      { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, `Jobs (${jobs.total_count})`),
      history(jobs.results),
    ),
    session.canWrite
      ? h('section', { 'aria-labelledby': 'danger-title' }, h('h2', { id: 'danger-title' }, 'Deregister'), deregisterControl(ds))
      : null,
  );
}
