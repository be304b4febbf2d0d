import { addMonths, monthOf } from '../domain/time.js';
import { markAccountsSynced } from '../store/data-source-accounts.js';
import type { Queryable } from '../store/database.js';
import type { ChangedWindow, JobRow } from '../store/rows.js';
import { windowsCondition } from './changed.js';
import type { Increment } from '../metrics/totals.js';
import { dropBefore, replaceWindows } from './rollup.js';

/**
 * Publishes a job whose tasks all succeeded, in the transaction that finished its last task
 * (the job row is already locked, so exactly one closer runs). In one commit:
 *   - rows of earlier jobs of the data source inside the job's `changed` windows and its tasks'
 *     `task_changed` windows are deleted;
 *   - the monthly rollup loses the same rows (engine/rollup.ts; the tasks' sums were added as
 *     each task finished);
 *   - rows billed before the retention period (the data source's, else the server's) are
 *     deleted, and the job and its tasks record how many (a first sync of old history says so);
 *   - the job becomes SUCCESS, which makes its rows visible (published_cost);
 *   - the data source's last_synchronized_at moves to the job's created_at and its key lists
 *     gain the keys the job's rows used; the accounts in its synced_accounts become is_sync.
 * Readers see the old generation or the new one, never both and never neither.
 */
const TASK_WINDOWS_AND_KEYS = `SELECT changed, cost_keys FROM job_task WHERE job_id = $1`;

const PUBLISH = `
  UPDATE job SET status = 'SUCCESS', remained_tasks = 0, retention_deleted_count = $2, retained_from = $3,
                 finished_at = now(), updated_at = now()
   WHERE job_id = $1
  RETURNING *`;

const RETENTION_OF = `SELECT retention_months FROM data_source WHERE data_source_id = $1`;

/** Rows billed before the retention period; per task of this job for its own rows (null: older jobs'). */
const RETENTION = `
  WITH gone AS (
    DELETE FROM cost WHERE data_source_id = $1 AND billed_month < $2
    RETURNING CASE WHEN job_id = $3 THEN job_task_id END AS job_task_id
  )
  SELECT job_task_id, count(*)::int AS n FROM gone GROUP BY job_task_id`;

const TASK_RETENTION = `
  UPDATE job_task t SET retention_deleted_count = r.n
    FROM jsonb_to_recordset($2::jsonb) AS r(job_task_id text, n integer)
   WHERE t.job_id = $1 AND t.job_task_id = r.job_task_id`;

const MERGE_INTO_DATA_SOURCE = `
  UPDATE data_source
     SET last_synchronized_at = $2,
         cost_tag_keys = ARRAY(SELECT DISTINCT k FROM unnest(cost_tag_keys || $3::text[]) AS k ORDER BY k),
         cost_additional_info_keys = ARRAY(SELECT DISTINCT k FROM unnest(cost_additional_info_keys || $4::text[]) AS k ORDER BY k),
         cost_data_keys = ARRAY(SELECT DISTINCT k FROM unnest(cost_data_keys || $5::text[]) AS k ORDER BY k),
         updated_at = now()
   WHERE data_source_id = $1`;

/** The first billed month retention keeps on `today`, or undefined when everything is kept. */
export function retentionStart(retentionMonths: number, today: Date): string | undefined {
  return retentionMonths > 0 ? addMonths(monthOf(today), -retentionMonths) : undefined;
}

/** How long rows are kept: the data source's `retention_months`, else `defaultMonths` (COSTSYNC_RETENTION_MONTHS); 0 keeps all. */
export interface Retention {
  readonly defaultMonths: number;
  readonly today: Date;
}

const ROWS_OF_JOB = `SELECT coalesce(sum(created_count), 0)::float8 AS n FROM job_task WHERE job_id = $1`;

/**
 * Publishes the job; returns it and the counters its publication adds (the caller adds them as
 * its transaction's last statement): a job succeeded, the rows it wrote, the rows retention removed.
 */
export async function closeJob(tx: Queryable, job: JobRow, retention: Retention): Promise<{ job: JobRow; totals: Increment[] }> {
  const tasks = await tx.query<{ changed: ChangedWindow | null; cost_keys: Record<string, string[]> | null }>(TASK_WINDOWS_AND_KEYS, [
    job.job_id,
  ]);
  const windows = [...job.changed, ...tasks.flatMap((t) => (t.changed ? [t.changed] : []))];
  if (windows.length) {
    const params: unknown[] = [job.data_source_id, job.job_id];
    const condition = windowsCondition(windows, params);
    await tx.query(`DELETE FROM cost WHERE data_source_id = $1 AND job_id <> $2 AND ${condition}`, params);
    await replaceWindows(tx, job.data_source_id, job.job_id, windows);
  }
  const [source] = await tx.query<{ retention_months: number | null }>(RETENTION_OF, [job.data_source_id]);
  const keepFrom = retentionStart(source?.retention_months ?? retention.defaultMonths, retention.today);
  let removed = 0;
  if (keepFrom) {
    const gone = await tx.query<{ job_task_id: string | null; n: number }>(RETENTION, [job.data_source_id, keepFrom, job.job_id]);
    removed = gone.reduce((sum, g) => sum + g.n, 0);
    await dropBefore(tx, job.data_source_id, keepFrom);
    const ofTasks = gone.filter((g) => g.job_task_id !== null);
    if (ofTasks.length) await tx.query(TASK_RETENTION, [job.job_id, JSON.stringify(ofTasks)]);
  }
  const keys = (name: string) => [...new Set(tasks.flatMap((t) => t.cost_keys?.[name] ?? []))];
  await tx.query(MERGE_INTO_DATA_SOURCE, [job.data_source_id, job.created_at, keys('tags'), keys('additional_info'), keys('data')]);
  // Account routing: the accounts the plugin said it synced are now synced (upstream's is_sync).
  await markAccountsSynced(
    tx,
    job.data_source_id,
    job.synced_accounts.map((a) => a.account_id),
  );
  const [published] = await tx.query<JobRow>(PUBLISH, [job.job_id, removed || null, keepFrom ?? null]);
  const [{ n: rows }] = await tx.query<{ n: number }>(ROWS_OF_JOB, [job.job_id]);
  return {
    job: published,
    totals: [
      { name: 'jobs_finished', labels: { status: 'SUCCESS' }, value: 1 },
      { name: 'rows_ingested', labels: { outcome: 'published' }, value: rows },
      { name: 'rows_retention_deleted', value: removed },
    ],
  };
}
