import { JOB_STATUS, type TASK_STATUS } from '../domain/status.js';
import type { Database, Queryable } from '../store/database.js';
import type { JobRow } from '../store/rows.js';
import { closeJob, type Retention } from './close-job.js';
import { endJob, lockJob, type JobEnd } from './end-job.js';
import type { Lease } from './lease.js';
import { rollUpTask } from './rollup.js';
import { addTotals, type Increment, taskDuration } from '../metrics/totals.js';

/**
 * How a task attempt ends. Each outcome is one transaction that locks the job first, then
 * changes the task only if the lease is still the worker's: an attempt that lost its task
 * changes nothing.
 */

const OWNED = `job_task_id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'IN_PROGRESS'`;
const leaseParams = (lease: Lease) => [lease.jobTaskId, lease.owner, lease.attempt];

const TASK_SUCCEEDED = `
  UPDATE job_task SET status = 'SUCCESS', cost_keys = $4, finished_at = now(), updated_at = now(),
         lease_owner = NULL, lease_until = NULL
   WHERE ${OWNED}
  RETURNING job_task_id, extract(epoch FROM finished_at - started_at)::float8 AS seconds`;

const COUNT_DOWN = `
  UPDATE job SET remained_tasks = remained_tasks - 1, updated_at = now()
   WHERE job_id = $1
  RETURNING *`;

export type SuccessResult = 'published' | 'done' | 'lost';

/** The task's rows are all written: count it done, and publish the job if it was the last. */
export async function succeedTask(db: Database, lease: Lease, costKeys: unknown, retention: Retention): Promise<SuccessResult> {
  return db.transaction(async (tx) => {
    const job = await lockJob(tx, lease.jobId);
    if (!job || job.status !== JOB_STATUS.IN_PROGRESS) return 'lost';
    const owned = await tx.query<{ seconds: number | null }>(TASK_SUCCEEDED, [...leaseParams(lease), JSON.stringify(costKeys)]);
    if (owned.length === 0) return 'lost';
    await rollUpTask(tx, lease.jobId, lease.jobTaskId);
    const [counted] = await tx.query<JobRow>(COUNT_DOWN, [lease.jobId]);
    const published = counted.remained_tasks > 0 ? undefined : await closeJob(tx, counted, retention);
    await addTotals(tx, [...taskDuration('SUCCESS', owned[0].seconds ?? 0), ...(published?.totals ?? [])]);
    return published ? 'published' : 'done';
  });
}

const RETRY_LATER = `
  UPDATE job_task SET status = 'PENDING', lease_owner = NULL, lease_until = NULL,
         available_at = now() + $4 * interval '1 millisecond',
         error_code = $5, error_message = $6, updated_at = now()
   WHERE ${OWNED}
  RETURNING job_task_id`;

/** A transient failure: the task goes back to the queue after `delayMs`. */
export async function retryTask(db: Database, lease: Lease, delayMs: number, code: string, message: string): Promise<boolean> {
  const rows = await db.query(RETRY_LATER, [...leaseParams(lease), delayMs, code, message]);
  return rows.length === 1;
}

const TASK_ENDED = `
  UPDATE job_task SET status = $4, error_code = $5, error_message = $6, finished_at = now(), updated_at = now(),
         lease_owner = NULL, lease_until = NULL
   WHERE ${OWNED}
  RETURNING job_task_id, extract(epoch FROM finished_at - started_at)::float8 AS seconds`;

export interface TaskEnd {
  taskStatus: typeof TASK_STATUS.FAILURE | typeof TASK_STATUS.TIMEOUT;
  errorCode: string;
  errorMessage: string;
  job: JobEnd;
}

/** The task failed for good (or stalled): it ends, and so does its job, rolled back. */
export async function endTaskAndJob(db: Database, lease: Lease, end: TaskEnd): Promise<boolean> {
  return db.transaction(async (tx) => endOwnedTaskAndJob(tx, lease, end));
}

/** `extra`: more counters to add with this transaction's (the reaper's gave-up lease). */
export async function endOwnedTaskAndJob(tx: Queryable, lease: Lease, end: TaskEnd, extra: Increment[] = []): Promise<boolean> {
  const job = await lockJob(tx, lease.jobId);
  if (!job || job.status !== JOB_STATUS.IN_PROGRESS) return false;
  const owned = await tx.query<{ seconds: number | null }>(TASK_ENDED, [
    ...leaseParams(lease),
    end.taskStatus,
    end.errorCode,
    end.errorMessage,
  ]);
  if (owned.length === 0) return false;
  const ended = await endJob(tx, lease.jobId, end.job, [
    ...taskDuration(end.taskStatus, owned[0].seconds ?? 0),
    { name: 'plugin_errors', labels: { error_code: end.errorCode }, value: 1 },
    ...extra,
  ]);
  return ended !== undefined;
}

const GIVE_BACK = `
  UPDATE job_task SET status = 'PENDING', attempt = attempt - 1, lease_owner = NULL, lease_until = NULL,
         updated_at = now()
   WHERE ${OWNED}`;

/** On shutdown: the task goes back to the queue at once, and this attempt does not count. */
export async function releaseTask(db: Database, lease: Lease): Promise<void> {
  await db.query(GIVE_BACK, leaseParams(lease));
}
