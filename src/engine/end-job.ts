import { JOB_STATUS, TASK_STATUS, type JobStatus } from '../domain/status.js';
import type { Queryable } from '../store/database.js';
import type { JobRow } from '../store/rows.js';
import { forgetJob } from './rollup.js';
import { addTotals, type Increment } from '../metrics/totals.js';

/**
 * Ends a running job without publishing it (CANCELED, FAILURE, TIMEOUT), in the caller's
 * transaction: the job row is updated first (taking its lock, see the lock order in
 * store/database.ts), unfinished tasks stop, and every cost row the job wrote is removed.
 * Rows of earlier jobs are untouched, so readers keep seeing the previous generation.
 * Returns undefined when the job was not running (already ended by someone else).
 */
const END_JOB = `
  UPDATE job
     SET status = $2, error_code = $3, error_message = $4,
         remained_tasks = 0, finished_at = now(), updated_at = now()
   WHERE job_id = $1 AND status = 'IN_PROGRESS'
  RETURNING *`;

/**
 * Unfinished tasks stop. A task row locked by a worker frozen in its batch's fence is skipped,
 * not waited for: the reaper stops it once that worker's transaction is gone (STOP_TASKS_OF_ENDED_JOBS).
 */
const STOP_TASKS = `
  UPDATE job_task t
     SET status = CASE WHEN t.status = 'IN_PROGRESS' THEN $2 ELSE 'CANCELED' END,
         error_code = CASE WHEN t.status = 'IN_PROGRESS' AND $2 = 'TIMEOUT' THEN $3 ELSE t.error_code END,
         error_message = CASE WHEN t.status = 'IN_PROGRESS' AND $2 = 'TIMEOUT' THEN $4 ELSE t.error_message END,
         lease_owner = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
    FROM (SELECT job_task_id FROM job_task
           WHERE job_id = $1 AND status IN ('PENDING', 'IN_PROGRESS')
             FOR UPDATE SKIP LOCKED) unfinished
   WHERE t.job_task_id = unfinished.job_task_id`;

const ROLLBACK_ROWS = `WITH gone AS (DELETE FROM cost WHERE job_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`;

/** Wakes workers running this job's tasks so they stop at once, in every process. */
export const JOB_ENDED_CHANNEL = 'costsync_job_ended';

export interface JobEnd {
  status: Exclude<JobStatus, 'IN_PROGRESS' | 'SUCCESS'>;
  errorCode?: string;
  errorMessage?: string;
}

/** `totals`: the caller's counters, added with the job's (jobs finished, rows rolled back) as the last statement. */
export async function endJob(tx: Queryable, jobId: string, end: JobEnd, totals: Increment[] = []): Promise<JobRow | undefined> {
  const [job] = await tx.query<JobRow>(END_JOB, [jobId, end.status, end.errorCode ?? null, end.errorMessage ?? null]);
  if (!job) return undefined;
  const runningTasksBecome = end.status === JOB_STATUS.TIMEOUT ? TASK_STATUS.TIMEOUT : TASK_STATUS.CANCELED;
  await tx.query(STOP_TASKS, [jobId, runningTasksBecome, end.errorCode ?? 'ERROR_JOB_TIMEOUT', end.errorMessage ?? 'The job timed out.']);
  const [{ n: rolledBack }] = await tx.query<{ n: number }>(ROLLBACK_ROWS, [jobId]);
  await forgetJob(tx, jobId);
  await tx.query('SELECT pg_notify($1, $2)', [JOB_ENDED_CHANNEL, jobId]);
  await addTotals(tx, [
    ...totals,
    { name: 'jobs_finished', labels: { status: end.status }, value: 1 },
    { name: 'rows_ingested', labels: { outcome: 'rolled_back' }, value: rolledBack },
  ]);
  return job;
}

/**
 * Locks a job row for the rest of the transaction (always before its tasks). `FOR NO KEY UPDATE`
 * is the lock an UPDATE of the row takes: one such transaction at a time per job, and none of
 * them waits for batch writes (which hold `FOR KEY SHARE`).
 */
export async function lockJob(tx: Queryable, jobId: string): Promise<JobRow | undefined> {
  const [job] = await tx.query<JobRow>('SELECT * FROM job WHERE job_id = $1 FOR NO KEY UPDATE', [jobId]);
  return job;
}
