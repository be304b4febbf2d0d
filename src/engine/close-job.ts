import { addMonths, monthOf } from '../domain/time.js';
import { markAccountsSynced } from '../store/data-source-accounts.js';
import type { Queryable } from '../store/database.js';
import type { ChangedWindow, JobRow } from '../store/rows.js';
import { windowsCondition } from './changed.js';

/**
 * Publishes a job whose tasks all succeeded, in the transaction that finished its last task
 * (the job row is already locked, so exactly one closer runs). In one commit:
 *   - rows of earlier jobs of the data source inside the job's `changed` windows and its tasks'
 *     `task_changed` windows are deleted;
 *   - rows billed before `keepFrom` (the retention period's first month) are deleted;
 *   - the job becomes SUCCESS, which makes its rows visible (published_cost);
 *   - the data source's last_synchronized_at moves to the job's created_at and its key lists
 *     gain the keys the job's rows used; the accounts in its synced_accounts become is_sync.
 * Readers see the old generation or the new one, never both and never neither.
 */
const TASK_WINDOWS_AND_KEYS = `SELECT changed, cost_keys FROM job_task WHERE job_id = $1`;

const PUBLISH = `
  UPDATE job SET status = 'SUCCESS', remained_tasks = 0, finished_at = now(), updated_at = now()
   WHERE job_id = $1
  RETURNING *`;

const RETENTION = `DELETE FROM cost WHERE data_source_id = $1 AND billed_month < $2`;

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

export async function closeJob(tx: Queryable, job: JobRow, keepFrom: string | undefined): Promise<JobRow> {
  const tasks = await tx.query<{ changed: ChangedWindow | null; cost_keys: Record<string, string[]> | null }>(TASK_WINDOWS_AND_KEYS, [
    job.job_id,
  ]);
  const windows = [...job.changed, ...tasks.flatMap((t) => (t.changed ? [t.changed] : []))];
  if (windows.length) {
    const params: unknown[] = [job.data_source_id, job.job_id];
    const condition = windowsCondition(windows, params);
    await tx.query(`DELETE FROM cost WHERE data_source_id = $1 AND job_id <> $2 AND ${condition}`, params);
  }
  if (keepFrom) await tx.query(RETENTION, [job.data_source_id, keepFrom]);
  const keys = (name: string) => [...new Set(tasks.flatMap((t) => t.cost_keys?.[name] ?? []))];
  await tx.query(MERGE_INTO_DATA_SOURCE, [job.data_source_id, job.created_at, keys('tags'), keys('additional_info'), keys('data')]);
  // Account routing: the accounts the plugin said it synced are now synced (upstream's is_sync).
  await markAccountsSynced(
    tx,
    job.data_source_id,
    job.synced_accounts.map((a) => a.account_id),
  );
  const [published] = await tx.query<JobRow>(PUBLISH, [job.job_id]);
  return published;
}
