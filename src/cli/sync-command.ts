import { connect, type RemoteOptions } from './remote.js';
import { formatCount, formatDuration } from './table.js';

interface JobWire {
  job_id: string;
  status: string;
  total_tasks?: number;
  remained_tasks?: number;
  error_code?: string;
  error_message?: string;
}

interface TasksWire {
  results: { status: string; created_count?: number }[];
}

export interface SyncOptions extends RemoteOptions {
  start?: string;
  json?: boolean;
}

/**
 * `costsync sync <data_source_id>`: starts a job, shows its progress until it ends, and exits
 * 0 only when it ends SUCCESS. On a terminal the progress line redraws in place; otherwise
 * a line is printed whenever the numbers change (at most every two seconds).
 */
export async function syncCommand(dataSourceId: string, options: SyncOptions): Promise<number> {
  const remote = await connect(options);
  const started = Date.now();
  const job = await remote.call<JobWire>('/cost-analysis/v1/data-source/sync', {
    data_source_id: dataSourceId,
    ...(options.start ? { start: options.start } : {}),
  });
  const out = process.stderr;
  const live = out.isTTY === true;
  out.write(`job ${job.job_id} started for ${dataSourceId}\n`);
  let current = job;
  let rows = 0;
  let lastLine = '';
  let lastPrinted = 0;
  for (;;) {
    current = await remote.call<JobWire>('/cost-analysis/v1/job/get', { job_id: job.job_id });
    const tasks = await remote.call<TasksWire>('/cost-analysis/v1/job-task/list', { job_id: job.job_id });
    rows = tasks.results.reduce((sum, t) => sum + (t.created_count ?? 0), 0);
    const line = progressLine(current, tasks, rows, Date.now() - started);
    if (live) out.write(`\r\x1b[2K${line}`);
    else if (line !== lastLine && Date.now() - lastPrinted >= 2000) {
      out.write(`${line}\n`);
      lastPrinted = Date.now();
    }
    lastLine = line;
    if (current.status !== 'IN_PROGRESS') break;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  if (live) out.write('\n');
  const elapsed = formatDuration(Date.now() - started);
  if (options.json) process.stdout.write(JSON.stringify(current, null, 2) + '\n');
  if (current.status === 'SUCCESS') {
    out.write(`job ${current.job_id} SUCCESS in ${elapsed}: ${current.total_tasks ?? 0} tasks, ${formatCount(rows)} rows\n`);
    return 0;
  }
  out.write(`job ${current.job_id} ${current.status} after ${elapsed}: ${current.error_code ?? ''} ${current.error_message ?? ''}\n`);
  return 1;
}

function progressLine(job: JobWire, tasks: TasksWire, rows: number, elapsedMs: number): string {
  const total = job.total_tasks ?? tasks.results.length;
  const done = tasks.results.filter((t) => t.status !== 'PENDING' && t.status !== 'IN_PROGRESS').length;
  const width = 24;
  const filled = total ? Math.round((done / total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = elapsedMs > 0 ? Math.round(rows / (elapsedMs / 1000)) : 0;
  const eta = done > 0 && done < total ? ` ETA ${formatDuration(Math.round((elapsedMs / done) * (total - done)))}` : '';
  return `${bar} ${done}/${total} tasks  ${formatCount(rows)} rows  ${formatCount(rate)} rows/s${eta}  ${job.status}`;
}
