// @ts-check
import { api } from './api.js';
import { h, replaceContent } from './dom.js';
import { badge, elapsedMs, errorText, formatCount, formatDuration, progress, rate, timeCell } from './format.js';
import { cancelButton } from './job-actions.js';
import { notify, poll } from './live.js';

/** @import { DataSource, Job, JobListRequest, JobStatus } from './api.js' */
/** @import { Session } from './session.js' */

/** @type {JobStatus[]} */
const STATUSES = ['IN_PROGRESS', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED'];
/** @type {[value: string, text: string][]} */
const SINCE = [
  ['', 'Any time'],
  ['1h', 'Last hour'],
  ['24h', 'Last 24 hours'],
  ['7d', 'Last 7 days'],
  ['30d', 'Last 30 days'],
];
/** @type {Partial<Record<string, number>>} */
const SINCE_MS = { '1h': 3600e3, '24h': 86400e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };
const PAGE = 50;

/** The page of the list in the address (`page=2`), from 1. @param {URLSearchParams} params */
const pageOf = (params) => Math.max(1, Math.floor(Number(params.get('page') ?? 1)) || 1);

/**
 * The job list request for the filters in the address (`#/jobs?status=…&data_source_id=…&since=…&q=…&page=…`).
 * @param {URLSearchParams} params
 */
function jobRequest(params) {
  /** @type {JobListRequest} */
  const request = { query: { sort: [{ key: 'created_at', desc: true }], page: { start: (pageOf(params) - 1) * PAGE + 1, limit: PAGE } } };
  const q = params.get('q')?.trim();
  if (q) request.query.keyword = q;
  const status = params.get('status');
  if (status) request.status = status;
  const dataSourceId = params.get('data_source_id');
  if (dataSourceId) request.data_source_id = dataSourceId;
  const since = SINCE_MS[params.get('since') ?? ''];
  if (since) request.query.filter = [{ k: 'created_at', v: new Date(Date.now() - since).toISOString(), o: 'datetime_gte' }];
  return request;
}

/**
 * @param {string} name
 * @param {string} label
 * @param {[value: string, text: string][]} options
 * @param {string} value  the selected option's
 */
function select(name, label, options, value) {
  const id = `filter-${name}`;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    h(
      'select',
      { id, name },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    ),
  );
}

/**
 * @param {URLSearchParams} params
 * @param {DataSource[]} dataSources
 */
function filters(params, dataSources) {
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter jobs' },
    select(
      'data_source_id',
      'Data source',
      [['', 'All data sources'], ...dataSources.map(/** @returns {[string, string]} */ (d) => [d.data_source_id, d.name])],
      params.get('data_source_id') ?? '',
    ),
    select(
      'status',
      'Status',
      [['', 'All statuses'], ...STATUSES.map(/** @returns {[string, string]} */ (s) => [s, s])],
      params.get('status') ?? '',
    ),
    select('since', 'Started', SINCE, params.get('since') ?? ''),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'filter-q' }, 'Job id'),
      h('input', { id: 'filter-q', name: 'q', type: 'search', value: params.get('q') ?? '', placeholder: 'job-…', size: 16 }),
    ),
  );
  const apply = () => {
    // The form holds <select>s and a text field, so every entry is a string (never a File); a new filter starts at page 1.
    const entries = /** @type {[string, string][]} */ ([...new FormData(form)]);
    const next = new URLSearchParams(entries.filter(([, v]) => v.trim() !== ''));
    location.hash = `#/jobs${next.size ? `?${next}` : ''}`;
  };
  form.addEventListener('change', apply);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  return form;
}

/**
 * Newer and older pages of the list, as links keeping the filters.
 * @param {URLSearchParams} params
 * @param {number} total
 */
function pager(params, total) {
  const page = pageOf(params);
  const link = (/** @type {number} */ to, /** @type {string} */ text) => {
    const next = new URLSearchParams(params);
    if (to === 1) next.delete('page');
    else next.set('page', String(to));
    return h('a', { href: `#/jobs${next.size ? `?${next}` : ''}`, 'data-focus-key': `page-${text}` }, text);
  };
  const pages = Math.max(1, Math.ceil(total / PAGE));
  if (pages === 1) return null;
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages of jobs' },
    page > 1 ? link(page - 1, '← Newer') : null,
    h('span', { class: 'muted' }, ` page ${page} of ${pages} `),
    page < pages ? link(page + 1, 'Older →') : null,
  );
}

/**
 * @param {Job} job
 * @param {number} rows
 * @param {Record<string, string | undefined>} names  data source names by id
 * @param {Session} session
 * @param {() => Promise<void>} refresh
 */
function jobRow(job, rows, names, session, refresh) {
  const ms = elapsedMs(job.created_at, job.finished_at);
  return h(
    'tr',
    { dataset: { jobId: job.job_id, status: job.status } },
    h('th', { scope: 'row' }, h('a', { href: `#/jobs/${job.job_id}`, 'data-focus-key': `open-${job.job_id}` }, h('code', {}, job.job_id))),
    h('td', {}, names[job.data_source_id] ?? job.data_source_id),
    h('td', {}, badge(job.status)),
    h('td', {}, progress(job)),
    h('td', { class: 'num' }, formatCount(rows)),
    h('td', { class: 'num' }, rate(rows, ms)),
    h('td', {}, timeCell(job.created_at)),
    h('td', { class: 'num' }, formatDuration(ms)),
    h('td', { class: 'error-cell' }, errorText(job)),
    session.canWrite ? h('td', {}, job.status === 'IN_PROGRESS' ? cancelButton(job.job_id, refresh) : '') : null,
  );
}

/**
 * @param {Job[]} jobs
 * @param {Record<string, number>} rows  rows written by job id
 * @param {Record<string, string | undefined>} names
 * @param {Session} session
 * @param {() => Promise<void>} refresh
 */
function jobTable(jobs, rows, names, session, refresh) {
  if (jobs.length === 0) return h('p', { class: 'empty' }, 'No jobs match these filters.');
  const headers = ['Job', 'Data source', 'Status', 'Tasks', 'Rows', 'Rows/s', 'Started', 'Duration', 'Error'];
  if (session.canWrite) headers.push('Actions');
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'jobs' },
      h('caption', { class: 'sr-only' }, 'Jobs, newest first'),
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
        jobs.map((job) => jobRow(job, rows[job.job_id] ?? 0, names, session, refresh)),
      ),
    ),
  );
}

/**
 * Jobs: filterable (data source, status, start, job id), newest first, 50 a page, refreshed every 2 s.
 * @param {HTMLElement} main
 * @param {{ params: URLSearchParams, signal: AbortSignal, session: Session }} context
 */
export async function jobsPage(main, { params, signal, session }) {
  const { results: dataSources } = await api.dataSources();
  /** @type {Record<string, string | undefined>} */
  const names = Object.fromEntries(dataSources.map((d) => [d.data_source_id, d.name]));
  const summary = h('p', { class: 'summary' });
  const body = h('div', { 'aria-live': 'off' });
  replaceContent(main, h('div', { class: 'page-head' }, h('h1', {}, 'Jobs')), filters(params, dataSources), summary, body);
  let running = false;
  const refresh = async () => {
    const answer = await api.jobs(jobRequest(params));
    const rows = await api.rowsByJob(answer.results.map((j) => j.job_id));
    if (signal.aborted) return;
    running = answer.results.some((j) => j.status === 'IN_PROGRESS');
    const first = (pageOf(params) - 1) * PAGE;
    const shown = answer.results.length === 0 ? '0' : `${first + 1}–${first + answer.results.length}`;
    summary.textContent = `${shown} of ${answer.total_count} ${answer.total_count === 1 ? 'job' : 'jobs'}${running ? ' · live' : ''}`;
    replaceContent(body, jobTable(answer.results, rows, names, session, refresh), pager(params, answer.total_count));
  };
  // Every 2 s: a job started elsewhere (a schedule, the CLI, another operator) shows within 2 s.
  poll(
    signal,
    () => refresh().catch((/** @type {Error} */ error) => notify(`Could not load jobs: ${error.message}`, 'error')),
    () => 2000,
  );
}
