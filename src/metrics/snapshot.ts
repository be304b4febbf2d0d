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

// One pass over the tasks, per status: counts, rows, reaped leases and the duration histogram
// of finished ones. The bounds are the constants above, never input: writing them into the
// statement is safe.
const TASKS_SQL = `
  SELECT status, count(*)::int AS n, coalesce(sum(created_count), 0)::text AS rows,
         count(*) FILTER (WHERE error_code = 'ERROR_WORKER_LOST')::int AS worker_lost,
         count(*) FILTER (WHERE error_code = 'ERROR_TASK_ATTEMPTS')::int AS gave_up,
         count(d)::int AS timed, coalesce(sum(d), 0)::float8 AS sum,
         ${DURATION_BUCKETS.map((b, i) => `count(*) FILTER (WHERE d <= ${b})::int AS b${i}`).join(', ')}
    FROM (SELECT status, created_count, error_code,
                 CASE WHEN status IN ('SUCCESS', 'FAILURE', 'TIMEOUT')
                      THEN extract(epoch FROM finished_at - started_at)::float8 END AS d
            FROM job_task) t
   GROUP BY status`;

const JOBS_SQL = 'SELECT status AS key, count(*)::int AS n FROM job GROUP BY status';

const ERRORS_SQL = `
  SELECT error_code AS key, count(*)::int AS n FROM job_task
   WHERE status IN ('FAILURE', 'TIMEOUT') AND error_code IS NOT NULL GROUP BY error_code`;

const byKey = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.key, Number(r.n)]));

export async function readSnapshot(db: Queryable): Promise<Snapshot> {
  const [jobs, tasks, errors] = await Promise.all([
    db.query<{ key: string; n: number }>(JOBS_SQL),
    db.query<Record<string, number | string>>(TASKS_SQL),
    db.query<{ key: string; n: number }>(ERRORS_SQL),
  ]);
  const of = (status: string) => tasks.find((row) => row.status === status);
  return {
    jobs: byKey(jobs),
    tasks: Object.fromEntries(tasks.map((row) => [String(row.status), Number(row.n)])),
    rowsIngested: Number(of('SUCCESS')?.rows ?? 0),
    taskErrors: byKey(errors),
    leasesReaped: {
      requeued: Number(of('PENDING')?.worker_lost ?? 0),
      gaveUp: tasks.reduce((sum, row) => sum + Number(row.gave_up), 0),
    },
    durations: tasks
      .filter((row) => Number(row.timed) > 0)
      .map((row) => ({
        status: String(row.status),
        count: Number(row.timed),
        sum: Number(row.sum),
        buckets: DURATION_BUCKETS.map((_, i) => Number(row[`b${i}`])),
      })),
  };
}
