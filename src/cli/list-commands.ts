import { formatTimestamp } from '../domain/time.js';
import { connect, type RemoteOptions } from './remote.js';
import { formatTable } from './table.js';

export interface ListOptions extends RemoteOptions {
  json?: boolean;
  limit?: string;
  dataSource?: string;
  status?: string;
}

type Wire = Record<string, any>;

function page(options: ListOptions) {
  const limit = Number(options.limit ?? 20);
  return { page: { start: 1, limit: Number.isInteger(limit) && limit > 0 ? limit : 20 }, sort: [{ key: 'created_at', desc: true }] };
}

const when = (value: unknown) => (typeof value === 'string' ? formatTimestamp(value)!.replace('T', ' ').slice(0, 19) : '');

/** `costsync jobs`: newest first, as a table or `--json`. */
export async function jobsCommand(options: ListOptions): Promise<number> {
  const remote = await connect(options);
  const body: Wire = { query: page(options) };
  if (options.dataSource) body.data_source_id = options.dataSource;
  if (options.status) body.status = options.status;
  const answer = await remote.call<{ results: Wire[]; total_count: number }>('/cost-analysis/v1/job/list', body);
  if (options.json) return print(JSON.stringify(answer, null, 2));
  return print(
    formatTable(
      ['job_id', 'status', 'data_source_id', 'tasks', 'created_at', 'finished_at', 'error'],
      answer.results.map((j) => [
        j.job_id, j.status, j.data_source_id, `${(j.total_tasks ?? 0) - (j.remained_tasks ?? 0)}/${j.total_tasks ?? 0}`,
        when(j.created_at), when(j.finished_at), j.error_code ?? '',
      ]),
    ) + `\n${answer.results.length} of ${answer.total_count} jobs`,
  );
}

/** `costsync tasks <job_id>`: the job's tasks in plan order. */
export async function tasksCommand(jobId: string, options: ListOptions): Promise<number> {
  const remote = await connect(options);
  const answer = await remote.call<{ results: Wire[]; total_count: number }>('/cost-analysis/v1/job-task/list', {
    job_id: jobId,
    query: { sort: [{ key: 'created_at' }] },
  });
  if (options.json) return print(JSON.stringify(answer, null, 2));
  return print(
    formatTable(
      ['job_task_id', 'status', 'attempt', 'rows', 'options', 'started_at', 'finished_at', 'error'],
      answer.results.map((t) => [
        t.job_task_id, t.status, t.attempt ?? '', t.created_count ?? 0, JSON.stringify(t.options ?? {}),
        when(t.started_at), when(t.finished_at), t.error_code ? `${t.error_code}: ${t.error_message ?? ''}` : '',
      ]),
    ) + `\n${answer.total_count} tasks`,
  );
}

function print(text: string): number {
  process.stdout.write(text + '\n');
  return 0;
}
