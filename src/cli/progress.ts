import type { JobWire, TaskWire } from './api-answers.js';
import type { Remote } from './remote.js';

export type { JobWire } from './api-answers.js';
import { counted, formatCount, formatDuration } from './table.js';

export interface Followed {
  job: JobWire;
  rows: number;
  /** From the job's creation (or `startedAt`, if earlier) to its end. */
  elapsedMs: number;
  failedTasks: TaskWire[];
}

type Out = NodeJS.WritableStream & { isTTY?: boolean };

const POLL_MS = 300;
const PLAIN_EVERY_MS = 2000;

/**
 * Follows a job until it ends. On a terminal one progress line redraws in place
 * (`[#####.....] 3/6 tasks  1,204 rows  950 rows/s  ETA 2.1 s  IN_PROGRESS`); otherwise a
 * line is printed whenever the numbers change, at most every two seconds. Ctrl-C stops
 * watching, not the job, and says how to cancel it. Each poll reads the job and one sum of
 * its tasks' rows; the tasks themselves are read once, at the end, for the failed ones.
 */
export async function followJob(remote: Remote, jobId: string, out: Out, startedAt = Date.now()): Promise<Followed> {
  const live = out.isTTY === true;
  const onInterrupt = () => {
    out.write(`${live ? '\n' : ''}stopped watching; job ${jobId} keeps running (${remote.hint(`job cancel ${jobId}`)} stops it)\n`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let lastLine = '';
  let lastPrinted = 0;
  try {
    for (;;) {
      const job = await remote.call<JobWire>('/cost-analysis/v1/job/get', { job_id: jobId });
      const rows = await rowsOf(remote, jobId);
      const since = job.created_at ? Math.min(startedAt, Date.parse(job.created_at)) : startedAt;
      const elapsedMs = (job.finished_at ? Date.parse(job.finished_at) : Date.now()) - since;
      const line = progressLine(job, rows, elapsedMs);
      if (live) out.write(`\r\x1b[2K${line}`);
      else if (line !== lastLine && (Date.now() - lastPrinted >= PLAIN_EVERY_MS || job.status !== 'IN_PROGRESS')) {
        out.write(`${line}\n`);
        lastPrinted = Date.now();
      }
      lastLine = line;
      if (job.status !== 'IN_PROGRESS') {
        if (live) out.write('\n');
        const { results: tasks } = await remote.call<{ results: TaskWire[] }>('/cost-analysis/v1/job-task/list', {
          job_id: jobId,
          query: { filter: [{ k: 'status', v: ['FAILURE', 'TIMEOUT', 'CANCELED'], o: 'in' }], page: { limit: 1000 } },
        });
        return { job, rows, elapsedMs, failedTasks: tasks.filter((t) => t.error_code) };
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
  }
}

/** Rows the job's tasks have written so far. */
async function rowsOf(remote: Remote, jobId: string): Promise<number> {
  const { results } = await remote.call<{ results: { rows?: number }[] }>('/cost-analysis/v1/job-task/stat', {
    query: {
      filter: [{ k: 'job_id', v: jobId, o: 'eq' }],
      aggregate: [
        { group: { keys: [{ key: 'job_id', name: 'job_id' }], fields: [{ key: 'created_count', name: 'rows', operator: 'sum' }] } },
      ],
    },
  });
  return results[0]?.rows ?? 0;
}

function progressLine(job: JobWire, rows: number, elapsedMs: number): string {
  const total = job.total_tasks ?? 0;
  const done = total - (job.remained_tasks ?? total);
  const width = 24;
  const filled = total ? Math.round((done / total) * width) : 0;
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const rate = elapsedMs > 0 ? Math.round(rows / (elapsedMs / 1000)) : 0;
  const eta = done > 0 && done < total ? `  ETA ${formatDuration(Math.round((elapsedMs / done) * (total - done)))}` : '';
  const tasksText = total === 0 && job.status === 'IN_PROGRESS' ? 'planning' : `${done}/${total} tasks`;
  return `${bar} ${tasksText}  ${formatCount(rows)} rows  ${formatCount(rate)} rows/s${eta}  ${job.status}`;
}

/** The closing line (and the failed tasks' errors); returns the exit code: 0 only for SUCCESS. */
/** What retention removed when the job was published, and how to keep more. */
export function retentionNote(job: JobWire): string {
  const count = job.retention_deleted_count ?? 0;
  return `  retention removed ${counted(count, 'row')} billed before ${job.retained_from ?? 'the retention period'} (keep more with the data source's retention_months, or COSTSYNC_RETENTION_MONTHS; 0 keeps all)`;
}

export function reportOutcome(followed: Followed, out: Out): number {
  const { job, rows } = followed;
  const elapsed = formatDuration(followed.elapsedMs);
  if (job.status === 'SUCCESS') {
    out.write(`job ${job.job_id} SUCCESS in ${elapsed}: ${counted(job.total_tasks ?? 0, 'task')}, ${counted(rows, 'row')}\n`);
    if (job.retention_deleted_count) out.write(`${retentionNote(job)}\n`);
    return 0;
  }
  out.write(`job ${job.job_id} ${job.status} after ${elapsed}: ${job.error_code ?? ''} ${job.error_message ?? ''}`.trimEnd() + '\n');
  for (const task of followed.failedTasks) {
    out.write(`  ${task.job_task_id} ${task.status}: ${task.error_code} ${task.error_message ?? ''}`.trimEnd() + '\n');
  }
  return 1;
}
