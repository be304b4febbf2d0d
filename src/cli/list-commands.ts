import type { DataSourceWire, JobWire, TaskWire } from './api-answers.js';
import { limitOption, statusOption } from './options.js';
import { connect, type Remote, type RemoteOptions } from './remote.js';
import { counted, formatCount, formatDuration, formatTable, formatWhen as when } from './table.js';

export interface ListOptions extends RemoteOptions {
  json?: boolean;
  limit?: string;
  dataSource?: string;
  status?: string;
}

/** `costsync jobs`: newest first, as a table or `--json`; a data source that does not exist is an error, not an empty table. */
export async function jobsCommand(options: ListOptions): Promise<number> {
  const limit = limitOption(options.limit);
  const status = statusOption(options.status);
  const remote = await connect(options);
  const body: Record<string, unknown> = { query: { page: { start: 1, limit }, sort: [{ key: 'created_at', desc: true }] } };
  if (options.dataSource) {
    await remote.call('/cost-analysis/v1/data-source/get', { data_source_id: options.dataSource });
    body.data_source_id = options.dataSource;
  }
  if (status) body.status = status;
  const answer = await remote.call<{ results: JobWire[]; total_count: number }>('/cost-analysis/v1/job/list', body);
  if (options.json) return print(JSON.stringify(answer, null, 2));
  const rows = await rowsByJob(
    remote,
    answer.results.map((j) => j.job_id),
  );
  return print(
    formatTable(
      ['job_id', 'status', 'data_source_id', 'tasks', 'rows', 'created_at', 'duration', 'error'],
      answer.results.map((j) => [
        j.job_id,
        j.status,
        j.data_source_id ?? '',
        `${(j.total_tasks ?? 0) - (j.remained_tasks ?? 0)}/${j.total_tasks ?? 0}`,
        formatCount(rows[j.job_id] ?? 0),
        when(j.created_at),
        j.created_at ? formatDuration((j.finished_at ? Date.parse(j.finished_at) : Date.now()) - Date.parse(j.created_at)) : '',
        j.error_code ?? '',
      ]),
    ) + `\n${answer.results.length} of ${counted(answer.total_count, 'job')}`,
  );
}

/** Rows written so far, per job (one JobTask.stat call). */
async function rowsByJob(remote: Remote, jobIds: string[]): Promise<Record<string, number>> {
  if (jobIds.length === 0) return {};
  const answer = await remote.call<{ results: { job_id: string; rows: number | null }[] }>('/cost-analysis/v1/job-task/stat', {
    query: {
      filter: [{ k: 'job_id', v: jobIds, o: 'in' }],
      aggregate: [
        { group: { keys: [{ key: 'job_id', name: 'job_id' }], fields: [{ key: 'created_count', name: 'rows', operator: 'sum' }] } },
      ],
    },
  });
  return Object.fromEntries(answer.results.map((r) => [r.job_id, r.rows ?? 0]));
}

/** `costsync data-sources`: plugin, schedule, last sync and the status of the last job. */
export async function dataSourcesCommand(options: ListOptions): Promise<number> {
  const remote = await connect(options);
  const answer = await remote.call<{ results: DataSourceWire[]; total_count: number }>('/cost-analysis/v1/data-source/list', {
    query: { sort: [{ key: 'name' }] },
  });
  const last = await Promise.all(
    answer.results.map((d) =>
      remote
        .call<{ results: JobWire[] }>('/cost-analysis/v1/job/list', {
          data_source_id: d.data_source_id,
          query: { sort: [{ key: 'created_at', desc: true }], page: { limit: 1 } },
        })
        .then((jobs) => jobs.results[0]),
    ),
  );
  if (options.json) {
    return print(JSON.stringify({ ...answer, results: answer.results.map((d, i) => ({ ...d, last_job: last[i] ?? null })) }, null, 2));
  }
  return print(
    formatTable(
      ['data_source_id', 'name', 'plugin', 'schedule', 'last_synchronized_at', 'last_job', 'status'],
      answer.results.map((d, i) => [
        d.data_source_id,
        d.name,
        d.plugin_info?.plugin_id ?? d.data_source_type,
        d.schedule?.state === 'ENABLED' ? `daily ${String(d.schedule.hour ?? 0).padStart(2, '0')}:00 UTC` : 'disabled',
        when(d.last_synchronized_at),
        last[i]?.job_id ?? '',
        last[i]?.status ?? '',
      ]),
    ) + `\n${counted(answer.total_count, 'data source')}`,
  );
}

/** `costsync tasks <job_id>`: the job's tasks in plan order; a job that does not exist is an error. */
export async function tasksCommand(jobId: string, options: ListOptions): Promise<number> {
  const remote = await connect(options);
  await remote.call('/cost-analysis/v1/job/get', { job_id: jobId });
  const answer = await remote.call<{ results: TaskWire[]; total_count: number }>('/cost-analysis/v1/job-task/list', {
    job_id: jobId,
    query: { sort: [{ key: 'created_at' }] },
  });
  if (options.json) return print(JSON.stringify(answer, null, 2));
  return print(
    formatTable(
      ['job_task_id', 'status', 'attempt', 'rows', 'options', 'started_at', 'finished_at', 'error'],
      answer.results.map((t) => [
        t.job_task_id,
        t.status,
        t.attempt ?? '',
        t.created_count ?? 0,
        JSON.stringify(t.options ?? {}),
        when(t.started_at),
        when(t.finished_at),
        t.error_code ? `${t.error_code}: ${t.error_message ?? ''}` : '',
      ]),
    ) + `\n${counted(answer.total_count, 'task')}`,
  );
}

function print(text: string): number {
  process.stdout.write(text + '\n');
  return 0;
}
