import type { EngineConfig } from '../config/config.js';
import { JOB_STATUS, TASK_STATUS } from '../domain/status.js';
import { describeDuration } from '../domain/time.js';
import type { Database, Queryable } from '../store/database.js';
import { endJob } from './end-job.js';
import type { Lease } from './lease.js';
import { endOwnedTaskAndJob } from './task-outcome.js';

/**
 * The reaper enforces time, actively, on every process that runs workers (several reapers
 * are safe: every action is a conditional update that only one of them wins):
 *   - a job past its deadline ends TIMEOUT (its rows rolled back);
 *   - a job whose planning never finished (the process died during get_tasks) ends FAILURE;
 *   - a task whose lease expired (its worker died or hung) goes back to the queue, or fails
 *     the job when it has used all its attempts;
 *   - a task left unfinished in an ended job (its row was locked when the job ended) stops.
 *
 * No step waits for a worker that froze holding a lock: rows locked by another transaction are
 * skipped (SKIP LOCKED) and taken on a later tick, and each job it ends is one transaction that
 * gives up after a short lock timeout. One stuck row never holds up the others.
 */
const OVERDUE_JOBS = `SELECT job_id FROM job WHERE status = 'IN_PROGRESS' AND deadline_at < now() LIMIT 100`;

const ABANDONED_PLANS = `
  SELECT job_id FROM job
   WHERE status = 'IN_PROGRESS' AND NOT planned AND created_at < now() - $1 * interval '1 millisecond'
   LIMIT 100`;

/** Expired leases with attempts left, back to the queue in one statement. */
const REQUEUE_EXPIRED = `
  WITH expired AS (
    SELECT t.job_task_id FROM job_task t
     WHERE t.status = 'IN_PROGRESS' AND t.lease_until < now() AND t.attempt < $1
       AND EXISTS (SELECT 1 FROM job j WHERE j.job_id = t.job_id AND j.status = 'IN_PROGRESS')
     ORDER BY t.lease_until
     LIMIT 100
     FOR UPDATE OF t SKIP LOCKED
  )
  , requeued AS (
    UPDATE job_task t
       SET status = 'PENDING', lease_owner = NULL, lease_until = NULL, available_at = now(),
           error_code = 'ERROR_WORKER_LOST',
           error_message = 'Worker ' || t.lease_owner || ' stopped renewing its lease (attempt ' || t.attempt || ').',
           updated_at = now()
      FROM expired
     WHERE t.job_task_id = expired.job_task_id
    RETURNING t.job_task_id
  ), counted AS (
    INSERT INTO metric_total (name, labels, value)
    SELECT 'leases_reaped', '{"outcome": "requeued"}'::jsonb, count(*) FROM requeued HAVING count(*) > 0
    ON CONFLICT (name, labels) DO UPDATE SET value = metric_total.value + EXCLUDED.value
  )
  SELECT job_task_id FROM requeued`;

/** Expired leases with no attempts left: each fails its job. */
const EXHAUSTED_LEASES = `
  SELECT job_task_id, job_id, lease_owner, attempt FROM job_task
   WHERE status = 'IN_PROGRESS' AND lease_until < now() AND attempt >= $1
   ORDER BY lease_until
   LIMIT 100
   FOR UPDATE SKIP LOCKED`;

const STOP_TASKS_OF_ENDED_JOBS = `
  WITH stale AS (
    SELECT t.job_task_id, j.status AS job_status, j.error_code AS job_error_code FROM job_task t JOIN job j ON j.job_id = t.job_id
     WHERE t.status IN ('PENDING', 'IN_PROGRESS') AND j.status <> 'IN_PROGRESS'
     LIMIT 100
     FOR UPDATE OF t SKIP LOCKED
  )
  UPDATE job_task t
     SET status = CASE WHEN t.status = 'IN_PROGRESS' AND stale.job_status = 'TIMEOUT' THEN 'TIMEOUT' ELSE 'CANCELED' END,
         error_code = CASE WHEN t.status = 'IN_PROGRESS' AND stale.job_status = 'TIMEOUT' THEN stale.job_error_code ELSE t.error_code END,
         lease_owner = NULL, lease_until = NULL, finished_at = now(), updated_at = now()
    FROM stale
   WHERE t.job_task_id = stale.job_task_id
  RETURNING t.job_task_id`;

/**
 * Rows a batch committed after its job ended (the batch passed its fence just before a cancel,
 * which does not wait for it). They were never visible; this removes them. Such a batch lives
 * at most as long as the session timeouts allow, so jobs that ended within the hour suffice.
 */
const SWEEP_ROWS_OF_ENDED_JOBS = `
  DELETE FROM cost c USING job j
   WHERE c.job_id = j.job_id AND j.status IN ('CANCELED', 'FAILURE', 'TIMEOUT')
     AND j.finished_at > now() - interval '1 hour'`;

/** How long one reaper transaction waits for a row lock before leaving that row to a later tick. */
const REAPER_LOCK_TIMEOUT = `SET LOCAL lock_timeout = '2s'`;
const LOCK_NOT_AVAILABLE = '55P03';

export interface ReapResult {
  timedOut: number;
  abandoned: number;
  requeued: number;
  failed: number;
  stopped: number;
}

export async function reapOnce(db: Database, config: EngineConfig): Promise<ReapResult> {
  const result: ReapResult = { timedOut: 0, abandoned: 0, requeued: 0, failed: 0, stopped: 0 };
  const deadline = describeDuration(config.jobTimeoutMs);
  for (const { job_id } of await db.query<{ job_id: string }>(OVERDUE_JOBS)) {
    const ended = await boundedTransaction(db, (tx) =>
      endJob(tx, job_id, {
        status: JOB_STATUS.TIMEOUT,
        errorCode: 'ERROR_JOB_TIMEOUT',
        errorMessage: `The job did not finish within its deadline (${deadline}; COSTSYNC_JOB_TIMEOUT_S).`,
      }),
    );
    if (ended) result.timedOut++;
  }
  // Planning is bounded by planTimeoutMs in the process that plans; allow twice that.
  for (const { job_id } of await db.query<{ job_id: string }>(ABANDONED_PLANS, [config.planTimeoutMs * 2])) {
    const ended = await boundedTransaction(db, (tx) =>
      endJob(tx, job_id, {
        status: JOB_STATUS.FAILURE,
        errorCode: 'ERROR_GET_JOB_TASKS',
        errorMessage: 'Planning did not finish: the process asking the plugin for tasks stopped.',
      }),
    );
    if (ended) result.abandoned++;
  }
  result.requeued = (await db.query(REQUEUE_EXPIRED, [config.maxAttempts])).length;
  const exhausted = await db.query<{ job_task_id: string; job_id: string; lease_owner: string; attempt: number }>(EXHAUSTED_LEASES, [
    config.maxAttempts,
  ]);
  for (const task of exhausted) {
    const lease: Lease = { jobTaskId: task.job_task_id, jobId: task.job_id, owner: task.lease_owner, attempt: task.attempt };
    const ended = await boundedTransaction(db, (tx) =>
      endOwnedTaskAndJob(
        tx,
        lease,
        {
          taskStatus: TASK_STATUS.FAILURE,
          errorCode: 'ERROR_TASK_ATTEMPTS',
          errorMessage: `Worker ${task.lease_owner} stopped renewing its lease (attempt ${task.attempt}). No attempts left (COSTSYNC_TASK_MAX_ATTEMPTS = ${config.maxAttempts}).`,
          job: { status: JOB_STATUS.FAILURE, errorCode: 'ERROR_JOB_TASK', errorMessage: 'One or more job tasks have failed.' },
        },
        [{ name: 'leases_reaped', labels: { outcome: 'gave_up' }, value: 1 }],
      ),
    );
    if (ended) result.failed++;
  }
  result.stopped = (await db.query(STOP_TASKS_OF_ENDED_JOBS)).length;
  return result;
}

/** Removes rows that batches committed after their job ended (see SWEEP_ROWS_OF_ENDED_JOBS). */
export async function sweepEndedJobs(db: Database): Promise<void> {
  await db.query(SWEEP_ROWS_OF_ENDED_JOBS);
}

/** One transaction that waits at most a short while for a lock; on timeout the item waits for the next tick. */
async function boundedTransaction<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T | undefined> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query(REAPER_LOCK_TIMEOUT);
      return fn(tx);
    });
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return undefined;
    throw error;
  }
}
