// @ts-check
import { api } from './api.js';
import { monthsChart } from './chart.js';
import { h, replaceContent } from './dom.js';
import { badge, timeCell } from './format.js';
import { syncButton } from './job-actions.js';
import { notify, poll } from './live.js';

/** @import { CostMonth, DataSource, Job } from './api.js' */
/** @import { Session } from './session.js' */

/** @param {DataSource} ds */
function schedule(ds) {
  /** @type {Partial<DataSource['schedule']>} */
  const s = ds.schedule ?? {};
  if (s.state !== 'ENABLED') return h('span', { class: 'muted' }, 'disabled');
  return `daily at ${String(s.hour ?? 0).padStart(2, '0')}:00 UTC`;
}

/** @param {Job | undefined} job  undefined before the first sync */
function lastJob(job) {
  if (!job) return h('span', { class: 'muted' }, 'never synced');
  return h(
    'a',
    { href: `#/jobs/${job.job_id}`, class: 'job-link', 'data-focus-key': `last-${job.job_id}` },
    badge(job.status),
    ' ',
    h('code', {}, job.job_id),
  );
}

/**
 * @param {DataSource} ds
 * @param {Job | undefined} job
 * @param {CostMonth[]} months
 * @param {Session} session
 */
function row(ds, job, months, session) {
  return h(
    'tr',
    { dataset: { dataSourceId: ds.data_source_id } },
    h(
      'th',
      { scope: 'row' },
      h('a', { class: 'name', href: `#/data-sources/${ds.data_source_id}`, 'data-focus-key': `open-${ds.data_source_id}` }, ds.name),
      h('br'),
      h('code', { class: 'muted' }, ds.data_source_id),
    ),
    h('td', {}, ds.plugin_info?.plugin_id ?? h('span', { class: 'muted' }, 'local')),
    h('td', {}, schedule(ds)),
    h('td', {}, timeCell(ds.last_synchronized_at)),
    h('td', {}, lastJob(job)),
    h('td', {}, monthsChart(months)),
    session.canWrite ? h('td', {}, ds.data_source_type === 'EXTERNAL' ? syncButton(ds) : '') : null,
  );
}

/**
 * Data sources: plugin, schedule, last sync, last job, rows by month; Sync now for writers.
 * @param {HTMLElement} main
 * @param {{ signal: AbortSignal, session: Session }} context
 */
export async function dataSourcesPage(main, { signal, session }) {
  const body = h('div');
  replaceContent(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('h1', {}, 'Data sources'),
      session.canWrite ? h('a', { class: 'button', href: '#/data-sources/new' }, 'Register a data source') : null,
    ),
    body,
  );
  const refresh = async () => {
    const { results } = await api.dataSources();
    const details = await Promise.all(
      results.map(async (ds) => {
        const [jobs, months] = await Promise.all([
          api.jobs({ data_source_id: ds.data_source_id, query: { sort: [{ key: 'created_at', desc: true }], page: { limit: 1 } } }),
          api.costMonths(ds.data_source_id),
        ]);
        return { job: /** @type {Job | undefined} */ (jobs.results[0]), months: months.results };
      }),
    );
    if (signal.aborted) return;
    if (results.length === 0) return replaceContent(body, h('p', { class: 'empty' }, 'No data sources are visible to you.'));
    const headers = ['Data source', 'Plugin', 'Schedule', 'Last synchronized', 'Last job', 'Rows by month'];
    if (session.canWrite) headers.push('Actions');
    replaceContent(
      body,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'data-sources' },
          h('caption', { class: 'sr-only' }, 'Data sources'),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              headers.map((text) => h('th', { scope: 'col' }, text)),
            ),
          ),
          h(
            'tbody',
            {},
            results.map((ds, i) => row(ds, details[i].job, details[i].months, session)),
          ),
        ),
      ),
    );
  };
  poll(
    signal,
    () => refresh().catch((/** @type {Error} */ error) => notify(`Could not load data sources: ${error.message}`, 'error')),
    () => 10000,
  );
}
