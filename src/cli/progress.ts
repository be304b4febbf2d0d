import type { Remote } from './remote.js';
import { formatCount, formatDuration } from './table.js';

export interface JobWire {
  job_id: string;
  status: string;
  data_source_id?: string;
  total_tasks?: number;
  remained_tasks?: number;
  error_code?: string;
  error_message?: string;
  created_at?: string;
  finished_at?: string;
}

interface TaskWire {
  status: string;
  created_count?: number;
  error_code?: string;
  error_message?: string;
  job_task_id: string;
}

export interface Followed {
  job: JobWire;
  rows: number;
  failedTasks: TaskWire[];
}

type Out = NodeJS.WritableStream & { isTTY?: boolean };

const POLL_MS = 300;
const PLAIN_EVERY_MS = 2000;

/**
 * Follows a job until it ends. On a terminal one progress line redraws in place
 * (`[#####.....] 3/6 tasks  1,204 rows  950 rows/s  ETA 2.1 s  IN_PROGRESS`); otherwise a
 * line is printed whenever the numbers change, at most every two seconds. Ctrl-C stops
 * watching, not the job, and says how to cancel it.
 */
export async function followJob(remote: Remote, jobId: string, out: Out, startedAt = Date.now()): Promise<Followed> {
  const live = out.isTTY === true;
  const onInterrupt = () => {
    out.write(`${live ? '\n' : ''}stopped watching; job ${jobId} keeps running (costsync job cancel ${jobId} stops it)\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let lastLine = '';
  let lastPrinted = 0;
  try {
    for (;;) {
      const job = await remote.call<JobWire>('/cost-analysis/v1/job/get', { job_id: jobId });
      const { results: tasks } = await remote.call<{ results: TaskWire[] }>('/cost-analysis/v1/job-task/list', {
        job_id: jobId,
        query: { page: { limit: 10000 } },
      });
      const rows = tasks.reduce((sum, t) => sum + (t.created_count ?? 0), 0);
      const since = job.created_at ? Math.min(startedAt, Date.parse(job.created_at)) : startedAt;
      const line = progressLine(job, tasks, rows, (job.finished_at ? Date.parse(job.finished_at) : Date.now()) - since);
      if (live) out.write(`\r\x1b[2K${line}`);
      else if (line !== lastLine && (Date.now() - lastPrinted >= PLAIN_EVERY_MS || job.status !== 'IN_PROGRESS')) {
        out.write(`${line}\n`);
        lastPrinted = Date.now();
      }
      lastLine = line;
      if (job.status !== 'IN_PROGRESS') {
        if (live) out.write('\n');
        return { job, rows, failedTasks: tasks.filter((t) => t.error_code && t.status !== 'SUCCESS') };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

export function progressLine(job: JobWire, tasks: readonly { status: string }[], rows: number, elapsedMs: number): string {
  const total = job.total_tasks ?? tasks.length;
  const done = tasks.filter((t) => t.status !== 'PENDING' && t.status !== 'IN_PROGRESS').length;
  const width = 24;
  const filled = total ? Math.round((done / total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = elapsedMs > 0 ? Math.round(rows / (elapsedMs / 1000)) : 0;
  const eta = done > 0 && done < total ? `  ETA ${formatDuration(Math.round((elapsedMs / done) * (total - done)))}` : '';
  const tasksText = total === 0 && job.status === 'IN_PROGRESS' ? 'planning' : `${done}/${total} tasks`;
  return `${bar} ${tasksText}  ${formatCount(rows)} rows  ${formatCount(rate)} rows/s${eta}  ${job.status}`;
}

/** The closing line (and the failed tasks' errors); returns the exit code: 0 only for SUCCESS. */
export function reportOutcome(followed: Followed, out: Out, elapsedMs: number): number {
  const { job, rows } = followed;
  const elapsed = formatDuration(elapsedMs);
  if (job.status === 'SUCCESS') {
    out.write(`job ${job.job_id} SUCCESS in ${elapsed}: ${job.total_tasks ?? 0} tasks, ${formatCount(rows)} rows\n`);
    return 0;
  }
  out.write(`job ${job.job_id} ${job.status} after ${elapsed}: ${job.error_code ?? ''} ${job.error_message ?? ''}`.trimEnd() + '\n');
  for (const task of followed.failedTasks) {
    out.write(`  ${task.job_task_id} ${task.status}: ${task.error_code} ${task.error_message ?? ''}`.trimEnd() + '\n');
  }
  return 1;
}
