import type { EngineConfig } from '../config/config.js';
import { JOB_STATUS, TASK_STATUS } from '../domain/status.js';
import type { Database } from '../store/database.js';
import { endJob } from './end-job.js';
import { endOwnedTaskAndJob, retryTask } from './task-outcome.js';
import type { Lease } from './lease.js';

/**
 * The reaper enforces time, actively, on every process that runs workers (several reapers
 * are safe: every action is a conditional update that only one of them wins):
 *   - a job past its deadline ends TIMEOUT (its rows rolled back);
 *   - a job whose planning never finished (the process died during get_tasks) ends FAILURE;
 *   - a task whose lease expired (its worker died or hung) goes back to the queue, or fails
 *     the job when it has used all its attempts.
 */
const OVERDUE_JOBS = `SELECT job_id FROM job WHERE status = 'IN_PROGRESS' AND deadline_at < now() LIMIT 100`;

const ABANDONED_PLANS = `
  SELECT job_id FROM job
   WHERE status = 'IN_PROGRESS' AND NOT planned AND created_at < now() - $1 * interval '1 millisecond'
   LIMIT 100`;

const EXPIRED_LEASES = `
  SELECT job_task_id, job_id, lease_owner, attempt FROM job_task
   WHERE status = 'IN_PROGRESS' AND lease_until < now()
   LIMIT 100`;

export interface ReapResult {
  timedOut: number;
  abandoned: number;
  requeued: number;
  failed: number;
}

export async function reapOnce(db: Database, config: EngineConfig): Promise<ReapResult> {
  const result: ReapResult = { timedOut: 0, abandoned: 0, requeued: 0, failed: 0 };
  const minutes = Math.round(config.jobTimeoutMs / 60_000);
  for (const { job_id } of await db.query<{ job_id: string }>(OVERDUE_JOBS)) {
    const ended = await db.transaction((tx) =>
      endJob(tx, job_id, {
        status: JOB_STATUS.TIMEOUT,
        errorCode: 'ERROR_JOB_TIMEOUT',
        errorMessage: `The job did not finish within its deadline (${minutes} min; COSTSYNC_JOB_TIMEOUT_S).`,
      }),
    );
    if (ended) result.timedOut++;
  }
  // Planning is bounded by planTimeoutMs in the process that plans; allow twice that.
  for (const { job_id } of await db.query<{ job_id: string }>(ABANDONED_PLANS, [config.planTimeoutMs * 2])) {
    const ended = await db.transaction((tx) =>
      endJob(tx, job_id, {
        status: JOB_STATUS.FAILURE,
        errorCode: 'ERROR_GET_JOB_TASKS',
        errorMessage: 'Planning did not finish: the process asking the plugin for tasks stopped.',
      }),
    );
    if (ended) result.abandoned++;
  }
  const expired = await db.query<{ job_task_id: string; job_id: string; lease_owner: string; attempt: number }>(EXPIRED_LEASES);
  for (const task of expired) {
    const lease: Lease = { jobTaskId: task.job_task_id, jobId: task.job_id, owner: task.lease_owner, attempt: task.attempt };
    const message = `Worker ${task.lease_owner} stopped renewing its lease (attempt ${task.attempt}).`;
    if (task.attempt < config.maxAttempts) {
      if (await retryTask(db, lease, 0, 'ERROR_WORKER_LOST', message)) result.requeued++;
    } else {
      const ended = await db.transaction((tx) =>
        endOwnedTaskAndJob(tx, lease, {
          taskStatus: TASK_STATUS.FAILURE,
          errorCode: 'ERROR_TASK_ATTEMPTS',
          errorMessage: `${message} No attempts left (COSTSYNC_TASK_MAX_ATTEMPTS = ${config.maxAttempts}).`,
          job: { status: JOB_STATUS.FAILURE, errorCode: 'ERROR_JOB_TASK', errorMessage: 'One or more job tasks have failed.' },
        }),
      );
      if (ended) result.failed++;
    }
  }
  return result;
}
