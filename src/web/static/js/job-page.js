// @ts-check
import { api } from './api.js';
import { h, replaceContent } from './dom.js';
import { badge, elapsedMs, errorText, formatCount, formatDuration, progress, rate, timeCell } from './format.js';
import { cancelButton } from './job-actions.js';
import { notify, poll } from './live.js';

/** @import { ChangedWindow, Failure, Job, JobTask } from './api.js' */
/** @import { Child } from './dom.js' */
/** @import { Session } from './session.js' */

/**
 * @param {string} term
 * @param {...Child} value
 */
function fact(term, ...value) {
  return h('div', {}, h('dt', {}, term), h('dd', {}, ...value));
}

/** @param {ChangedWindow} w */
function windowText(w) {
  const months = w.end && w.end !== w.start ? `${w.start} – ${w.end}` : w.start;
  const filter =
    w.filter && Object.keys(w.filter).length
      ? ` where ${Object.entries(w.filter)
          .map(([k, v]) => `${k} = ${v}`)
          .join(', ')}`
      : '';
  return `${months}${filter}`;
}

/**
 * @param {Job} job
 * @param {number} rows  written so far by its tasks
 * @param {string | undefined} dataSourceName
 */
function summary(job, rows, dataSourceName) {
  const ms = elapsedMs(job.created_at, job.finished_at);
  return h(
    'dl',
    { class: 'facts' },
    fact('Data source', dataSourceName ?? job.data_source_id, h('br'), h('code', { class: 'muted' }, job.data_source_id)),
    fact('Tasks', progress(job)),
    fact('Rows', h('span', { class: 'num', 'data-testid': 'job-rows' }, formatCount(rows))),
    fact('Speed', rate(rows, ms)),
    fact('Started', timeCell(job.created_at)),
    fact('Finished', timeCell(job.finished_at)),
    fact('Duration', formatDuration(ms)),
    fact('Mode', job.options?.sync_mode ?? '—', job.options?.start ? ` from ${job.options.start}` : ''),
  );
}

/**
 * Why the job ended, and the error of each task that failed: "a task failed" alone sends the
 * operator looking, the task's own error says what to fix.
 * @param {Job} job
 * @param {JobTask[]} tasks
 */
function errorBox(job, tasks) {
  if (!job.error_code) return null;
  const failed = tasks.filter((t) => t.error_code && t.status !== 'SUCCESS' && t.status !== 'IN_PROGRESS' && t.status !== 'PENDING');
  return h(
    'div',
    { class: 'error-box', role: 'note', 'aria-label': 'Job error' },
    h('h2', {}, 'Why it ended ', job.status),
    h('p', {}, h('code', {}, job.error_code)),
    job.error_message ? h('p', { class: 'error-message' }, job.error_message) : null,
    failed.length > 0
      ? h(
          'ul',
          { class: 'failed-tasks', 'aria-label': 'Failed tasks' },
          failed.slice(0, 5).map((t) => h('li', {}, h('code', {}, t.job_task_id), ` ${t.status}: `, errorText(t))),
          failed.length > 5 ? h('li', { class: 'muted' }, `and ${failed.length - 5} more (see the tasks below)`) : null,
        )
      : null,
  );
}

/**
 * A published job whose rows retention partly removed says so: loading old history is the first
 * thing a new user does, and rows older than the retention period do not stay.
 * @param {Job} job
 */
function retentionNote(job) {
  const count = job.retention_deleted_count ?? 0;
  if (!count) return null;
  return h(
    'p',
    { class: 'note', role: 'note', 'data-testid': 'retention-note' },
    `Retention removed ${formatCount(count)} ${count === 1 ? 'row' : 'rows'} billed before ${job.retained_from ?? 'the retention period'}. `,
    "Keep more with the data source's retention_months (or COSTSYNC_RETENTION_MONTHS; 0 keeps all).",
  );
}

/** @param {Job} job */
function changedSection(job) {
  const windows = job.changed ?? [];
  return h(
    'section',
    { 'aria-labelledby': 'changed-title' },
    h('h2', { id: 'changed-title' }, 'Changed months'),
    h('p', { class: 'muted' }, "When the job succeeds, its rows replace the data source's rows in these windows."),
    windows.length
      ? h(
          'ul',
          { class: 'windows' },
          windows.map((w) => h('li', {}, windowText(w))),
        )
      : h('p', { class: 'empty' }, 'None declared yet.'),
  );
}

/**
 * @param {JobTask[]} tasks
 * @param {Job} job
 */
function taskTable(tasks, job) {
  if (tasks.length === 0) {
    return h(
      'p',
      { class: 'empty' },
      job.status === 'IN_PROGRESS'
        ? 'No tasks yet: the plugin is planning the sync.'
        : `No tasks: the job ended ${job.status} before its plan was made.`,
    );
  }
  const headers = ['Task', 'Status', 'Attempt', 'Options', 'Rows', 'Started', 'Finished', 'Duration', 'Error'];
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'tasks' },
      h('caption', { class: 'sr-only' }, 'Tasks of this job'),
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
        tasks.map((t) =>
          h(
            'tr',
            { dataset: { taskId: t.job_task_id, status: t.status } },
            h('th', { scope: 'row' }, h('code', {}, t.job_task_id)),
            h('td', {}, badge(t.status)),
            h('td', { class: 'num' }, t.attempt ?? 0),
            h(
              'td',
              {},
              h(
                'code',
                { class: 'options' },
                Object.entries(t.options ?? {})
                  .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`)
                  .join(' '),
              ),
            ),
            h('td', { class: 'num' }, formatCount(t.created_count)),
            h('td', {}, timeCell(t.started_at, { timeOnly: true })),
            h('td', {}, timeCell(t.finished_at, { timeOnly: true })),
            h('td', { class: 'num' }, t.started_at ? formatDuration(elapsedMs(t.started_at, t.finished_at)) : '—'),
            h('td', { class: 'error-cell' }, errorText(t)),
          ),
        ),
      ),
    ),
  );
}

/**
 * One job: summary, error, changed windows and tasks; polled every second while it runs.
 * @param {HTMLElement} main
 * @param {{ id: string, signal: AbortSignal, session: Session }} context
 */
export async function jobPage(main, { id, signal, session }) {
  const { results: dataSources } = await api.dataSources();
  /** @type {Record<string, string | undefined>} */
  const names = Object.fromEntries(dataSources.map((d) => [d.data_source_id, d.name]));
  const content = h('div');
  replaceContent(main, h('p', { class: 'back' }, h('a', { href: '#/jobs' }, '← All jobs')), content);
  let running = true;
  const refresh = async () => {
    const [job, tasks] = await Promise.all([api.job(id), api.tasks(id)]);
    if (signal.aborted) return;
    running = job.status === 'IN_PROGRESS';
    const rows = tasks.results.reduce((sum, t) => sum + (t.created_count ?? 0), 0);
    replaceContent(
      content,
      h(
        'div',
        { class: 'page-head' },
        h('h1', {}, 'Job ', h('code', {}, job.job_id), ' ', h('span', { 'data-testid': 'job-status' }, badge(job.status))),
        running ? h('span', { class: 'live' }, 'live') : null,
        running && session.canWrite ? cancelButton(job.job_id, refresh, 'Cancel job') : null,
      ),
      errorBox(job, tasks.results),
      retentionNote(job),
      summary(job, rows, names[job.data_source_id]),
      changedSection(job),
      h(
        'section',
        { 'aria-labelledby': 'tasks-title' },
        h('h2', { id: 'tasks-title' }, `Tasks (${tasks.total_count})`),
        taskTable(tasks.results, job),
      ),
    );
  };
  poll(
    signal,
    () =>
      refresh().catch((/** @type {Failure} */ error) => {
        if (error.code === 'ERROR_NOT_FOUND') {
          running = false;
          replaceContent(content, h('h1', {}, 'Job not found'), h('p', {}, `No job ${id} is visible to you.`));
        } else notify(`Could not load ${id}: ${error.message}`, 'error');
      }),
    () => (running ? 1000 : 0),
  );
}
