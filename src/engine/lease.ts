import type { Database } from '../store/database.js';
import type { JobTaskRow } from '../store/rows.js';

/**
 * Claims, leases and fenced writes: how a worker owns a task.
 *
 * A worker owns a task while `lease_owner` and `attempt` are its own and the lease has not
 * expired. Every write it makes (a batch of rows, a heartbeat, the task's outcome) checks
 * those in the same statement, so a worker that lost its task — the reaper gave it to another
 * worker after the lease ran out, or the job was cancelled — can never write into it again.
 */
export interface Lease {
  readonly jobTaskId: string;
  readonly jobId: string;
  readonly owner: string;
  readonly attempt: number;
}

export function leaseOf(task: JobTaskRow): Lease {
  return { jobTaskId: task.job_task_id, jobId: task.job_id, owner: task.lease_owner!, attempt: task.attempt };
}

/** The oldest available PENDING task, taken in one statement; concurrent workers skip each other's rows. */
const CLAIM = `
  WITH next AS (
    SELECT job_task_id FROM job_task
     WHERE status = 'PENDING' AND available_at <= now()
     ORDER BY available_at, created_at, seq
     LIMIT 1
     FOR UPDATE SKIP LOCKED
  )
  UPDATE job_task t
     SET status = 'IN_PROGRESS', attempt = t.attempt + 1, lease_owner = $1,
         lease_until = now() + $2 * interval '1 millisecond',
         started_at = coalesce(t.started_at, now()), progressed_at = now(), updated_at = now(),
         created_count = 0, error_code = NULL, error_message = NULL
    FROM next
   WHERE t.job_task_id = next.job_task_id
  RETURNING t.*`;

/**
 * Every attempt starts clean: rows an earlier attempt of the task wrote (one that crashed, was
 * reaped or was given back at shutdown) are removed in the claiming transaction.
 */
const FORGET_EARLIER_ATTEMPTS = `DELETE FROM cost WHERE job_id = $1 AND job_task_id = $2`;

export async function claimTask(db: Database, owner: string, leaseMs: number): Promise<JobTaskRow | undefined> {
  return db.transaction(async (tx) => {
    const [task] = await tx.query<JobTaskRow>(CLAIM, [owner, leaseMs]);
    if (task) await tx.query(FORGET_EARLIER_ATTEMPTS, [task.job_id, task.job_task_id]);
    return task;
  });
}

const RENEW = `
  UPDATE job_task SET lease_until = now() + $4 * interval '1 millisecond'
   WHERE job_task_id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'IN_PROGRESS'
  RETURNING job_task_id`;

/** Extends the lease; false when the task is no longer this worker's (cancelled, reaped, ended). */
export async function renewLease(db: Database, lease: Lease, leaseMs: number): Promise<boolean> {
  const rows = await db.query(RENEW, [lease.jobTaskId, lease.owner, lease.attempt, leaseMs]);
  return rows.length === 1;
}

/**
 * The fence, the last statements of a batch write. `FOR KEY SHARE` keeps the job row from being
 * deleted but lets every update of it (cancel, deadline, close) through without waiting: a
 * worker frozen with its batch open delays nobody. The task-row update is what serialises the
 * batch with a takeover: the reaper and the next claim skip a task row that is locked.
 */
const JOB_STILL_RUNNING = `SELECT 1 FROM job WHERE job_id = $1 AND status = 'IN_PROGRESS' FOR KEY SHARE`;

const RECORD_PROGRESS = `
  UPDATE job_task
     SET created_count = created_count + $4, progressed_at = now(), updated_at = now(),
         lease_until = now() + $5 * interval '1 millisecond'
   WHERE job_task_id = $1 AND lease_owner = $2 AND attempt = $3 AND status = 'IN_PROGRESS'
  RETURNING job_task_id`;

/**
 * After a batch was refused because the job ended: rows this task's batches committed after
 * the job's end deleted the job's rows (a batch that passed its fence just before). Deletes
 * only when the job ended unpublished, so it can never touch rows that may be published.
 */
const FORGET_ROWS_OF_ENDED_JOB = `
  DELETE FROM cost
   WHERE job_id = $1 AND job_task_id = $2
     AND EXISTS (SELECT 1 FROM job WHERE job_id = $1 AND status IN ('CANCELED', 'FAILURE', 'TIMEOUT'))`;

export async function forgetRowsOfEndedJob(db: Database, lease: Lease): Promise<void> {
  await db.query(FORGET_ROWS_OF_ENDED_JOB, [lease.jobId, lease.jobTaskId]);
}

/** Thrown inside a batch transaction to roll its rows back when the fence refuses them. */
class Fenced extends Error {}

/**
 * Writes one batch of rows (COPY text) if, and only if, the job is still running and the task
 * is still this worker's, in one transaction: the rows first, the fence last, so the
 * transaction holds a lock others could wait for only for the moment between the fence and
 * the commit. A refused batch is rolled back; returns false.
 *
 * A job that ends between the fence and the commit (cancel does not wait for the batch) may
 * keep that batch's rows in the table; they are never visible (the job is not SUCCESS), the
 * worker removes them when it stops (`forgetRowsOfEndedJob`), and the reaper those of a worker
 * that never came back (`SWEEP_ROWS_OF_ENDED_JOBS`).
 */
export async function writeBatch(
  db: Database,
  lease: Lease,
  table: string,
  columns: readonly string[],
  copyText: string | Uint8Array,
  rowCount: number,
  leaseMs: number,
): Promise<boolean> {
  try {
    return await db.transaction(async (tx) => {
      if (rowCount > 0) await tx.copyFrom(table, columns, copyText);
      if ((await tx.query(JOB_STILL_RUNNING, [lease.jobId])).length === 0) throw new Fenced();
      const owned = await tx.query(RECORD_PROGRESS, [lease.jobTaskId, lease.owner, lease.attempt, rowCount, leaseMs]);
      if (owned.length === 0) throw new Fenced();
      return true;
    });
  } catch (error) {
    if (error instanceof Fenced) return false;
    throw error;
  }
}
