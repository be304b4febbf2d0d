import type { Queryable } from '../store/database.js';

/**
 * What the metrics report, read from the database at scrape time. The job and task tables
 * are the engine's whole state, shared by every process on one database, so any process
 * (or all of them) can answer a scrape with the same numbers and the engine needs no hooks.
 */
export interface Snapshot {
  /** Jobs per status. */
  readonly jobs: Record<string, number>;
  /** Tasks per status. */
  readonly tasks: Record<string, number>;
  /** Rows written by tasks that succeeded (`created_count`). */
  readonly rowsIngested: number;
  /** Failed or timed-out tasks per `error_code`. */
  readonly taskErrors: Record<string, number>;
  /** Tasks whose worker stopped renewing the lease: waiting for another worker, or out of attempts. */
  readonly leasesReaped: { readonly requeued: number; readonly gaveUp: number };
  /** Run time of finished tasks (last attempt), per final status. */
  readonly durations: readonly DurationBuckets[];
}

export interface DurationBuckets {
  readonly status: string;
  /** Cumulative counts, one per `DURATION_BUCKETS` bound. */
  readonly buckets: readonly number[];
  readonly count: number;
  readonly sum: number;
}

/** Upper bounds (seconds) of the task duration histogram. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] as const;

const FINISHED = `status IN ('SUCCESS', 'FAILURE', 'TIMEOUT')`;

// The bounds are the constants above, never input: writing them into the statement is safe.
const DURATIONS_SQL = `
  SELECT status, count(*)::int AS count, coalesce(sum(d), 0)::float8 AS sum,
         ${DURATION_BUCKETS.map((b, i) => `count(*) FILTER (WHERE d <= ${b})::int AS b${i}`).join(', ')}
    FROM (SELECT status, extract(epoch FROM finished_at - started_at)::float8 AS d
            FROM job_task WHERE ${FINISHED} AND started_at IS NOT NULL AND finished_at IS NOT NULL) t
   GROUP BY status`;

const byKey = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function readSnapshot(db: Queryable): Promise<Snapshot> {
  const jobs = await db.query<{ key: string; n: number }>('SELECT status AS key, count(*)::int AS n FROM job GROUP BY status');
  const tasks = await db.query<{ key: string; n: number }>('SELECT status AS key, count(*)::int AS n FROM job_task GROUP BY status');
  const [rows] = await db.query<{ n: string }>(
    `SELECT coalesce(sum(created_count), 0)::text AS n FROM job_task WHERE status = 'SUCCESS'`);
  const errors = await db.query<{ key: string; n: number }>(
    `SELECT error_code AS key, count(*)::int AS n FROM job_task
      WHERE status IN ('FAILURE', 'TIMEOUT') AND error_code IS NOT NULL GROUP BY error_code`);
  const [reaped] = await db.query<{ requeued: number; gave_up: number }>(
    `SELECT count(*) FILTER (WHERE status = 'PENDING' AND error_code = 'ERROR_WORKER_LOST')::int AS requeued,
            count(*) FILTER (WHERE error_code = 'ERROR_TASK_ATTEMPTS')::int AS gave_up
       FROM job_task`);
  const durations = await db.query<Record<string, number | string>>(DURATIONS_SQL);
  return {
    jobs: byKey(jobs),
    tasks: byKey(tasks),
    rowsIngested: Number(rows.n),
    taskErrors: byKey(errors),
    leasesReaped: { requeued: Number(reaped.requeued), gaveUp: Number(reaped.gave_up) },
    durations: durations.map((row) => ({
      status: String(row.status),
      count: Number(row.count),
      sum: Number(row.sum),
      buckets: DURATION_BUCKETS.map((_, i) => Number(row[`b${i}`])),
    })),
  };
}
