import type { Queryable } from '../store/database.js';

/**
 * What a scrape reports, read from the database: the counters the engine keeps in
 * `metric_total` (metrics/totals.ts), the running jobs and the queue (through partial indexes on
 * running jobs and on pending and running tasks), and each data source's last sync — never a
 * whole job, task or cost table. Every process on one database answers with the same numbers.
 */
export interface Snapshot {
  readonly totals: readonly { readonly name: string; readonly labels: Record<string, string>; readonly value: number }[];
  readonly jobsRunning: number;
  readonly tasksRunning: number;
  readonly tasksPending: number;
  readonly dataSources: readonly DataSourceSync[];
}

export interface DataSourceSync {
  readonly dataSourceId: string;
  readonly name: string;
  /** When its last successful sync started (seconds since the epoch), if it ever had one. */
  readonly lastSuccess: number | null;
  readonly lastStatus: string | null;
}

const TOTALS = 'SELECT name, labels, value FROM metric_total';
const RUNNING = `SELECT count(*)::int AS n FROM job WHERE status = 'IN_PROGRESS'`;
const QUEUE = `
  SELECT (SELECT count(*) FROM job_task WHERE status = 'IN_PROGRESS')::int AS running,
         (SELECT count(*) FROM job_task WHERE status = 'PENDING')::int AS pending`;
const DATA_SOURCES = `
  SELECT d.data_source_id, d.name, extract(epoch FROM d.last_synchronized_at)::float8 AS last_success,
         (SELECT j.status FROM job j WHERE j.data_source_id = d.data_source_id ORDER BY j.created_at DESC LIMIT 1) AS last_status
    FROM data_source d`;

export async function readSnapshot(db: Queryable): Promise<Snapshot> {
  const [totals, [running], [queue], sources] = await Promise.all([
    db.query<{ name: string; labels: Record<string, string>; value: number }>(TOTALS),
    db.query<{ n: number }>(RUNNING),
    db.query<{ running: number; pending: number }>(QUEUE),
    db.query<{ data_source_id: string; name: string; last_success: number | null; last_status: string | null }>(DATA_SOURCES),
  ]);
  return {
    totals: totals.map((t) => ({ name: t.name, labels: t.labels ?? {}, value: Number(t.value) })),
    jobsRunning: Number(running.n),
    tasksRunning: Number(queue.running),
    tasksPending: Number(queue.pending),
    dataSources: sources.map((s) => ({
      dataSourceId: s.data_source_id,
      name: s.name,
      lastSuccess: s.last_success === null ? null : Number(s.last_success),
      lastStatus: s.last_status,
    })),
  };
}
