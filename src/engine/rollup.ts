import type { Database, Queryable } from '../store/database.js';
import { COST_MONTHLY_DIMENSIONS, type ChangedWindow } from '../store/rows.js';
import { windowsCondition } from './changed.js';

/**
 * The monthly rollup (`cost_monthly`, migration 006) kept equal to the cost rows it sums, in the
 * transactions that change those rows:
 *   - a task's rows are summed when the task is marked done (`rollUpTask`): one rollup row per
 *     month and set of dimensions, under the task's job, so it is seen when the job is published;
 *   - a publish deletes earlier jobs' rows inside changed windows (`replaceWindows`) and rows
 *     older than retention (`dropBefore`); their rollup rows go with them;
 *   - a job that ends unpublished takes its rollup rows with it (`forgetJob`).
 * Sums are numeric (each double through its shortest exact decimal, as the query compiler sums
 * rows), so the rollup adds up to exactly what its rows add up to.
 */

const GROUP = ['job_id', 'data_source_id', 'domain_id', 'billed_year', 'billed_month', ...COST_MONTHLY_DIMENSIONS].join(', ');

/** Sums the cost rows that `where` picks (over `cost`, parameters as given) into rollup rows. */
const insertSums = (where: string) => `
  INSERT INTO cost_monthly (${GROUP}, cost, usage_quantity, row_count)
  SELECT ${GROUP}, sum(cost::text::numeric), sum(usage_quantity::text::numeric), count(*)
    FROM cost WHERE ${where}
   GROUP BY ${GROUP}`;

const PUBLISHED = `EXISTS (SELECT 1 FROM job j WHERE j.job_id = cost.job_id AND j.status = 'SUCCESS')`;

const ROLL_UP_TASK = insertSums('job_id = $1 AND job_task_id = $2');

/**
 * Runs `statement` summing by hashing, in memory. The planner, which has no statistics yet on
 * rows just written (it guesses a dozen), would sort them by 16 text columns instead, spilling
 * to disk: a task of 100,000 rows took 850 ms that way and 220 ms hashed. The settings last for
 * this statement only, not for the rest of the transaction (the close that may follow).
 */
async function hashedSums(tx: Queryable, statement: string, params: readonly unknown[] = []): Promise<void> {
  await tx.query(`SET LOCAL work_mem = '64MB'`);
  await tx.query('SET LOCAL enable_sort = off');
  await tx.query(statement, params);
  await tx.query('SET LOCAL work_mem TO DEFAULT');
  await tx.query('SET LOCAL enable_sort TO DEFAULT');
}

/** In the transaction that marks the task done: its rows, summed. */
export async function rollUpTask(tx: Queryable, jobId: string, jobTaskId: string): Promise<void> {
  await hashedSums(tx, ROLL_UP_TASK, [jobId, jobTaskId]);
}

/** Filter keys a window may use that are rollup columns: such a window picks whole rollup rows. */
const ROLLED_UP_FILTER = new Set<string>([...COST_MONTHLY_DIMENSIONS.filter((c) => c !== 'tags'), 'billed_year']);
const picksWholeRows = (window: ChangedWindow) =>
  Object.keys(window.filter ?? {}).every((key) => ROLLED_UP_FILTER.has(key) || key.startsWith('tags.'));

/**
 * After the publish deleted earlier jobs' rows inside `windows` (the DELETE already ran): a
 * window whose filter names only rollup columns deletes exactly the rollup rows it matches; one
 * that filters on another field (resource, additional_info, data) may have left some rows of a
 * rollup row, so the months it covers are summed again from the rows that are left.
 */
export async function replaceWindows(tx: Queryable, dataSourceId: string, jobId: string, windows: readonly ChangedWindow[]): Promise<void> {
  const whole = windows.filter(picksWholeRows);
  const partial = windows.filter((w) => !picksWholeRows(w));
  if (whole.length) {
    const params: unknown[] = [dataSourceId, jobId];
    const condition = windowsCondition(whole, params);
    await tx.query(`DELETE FROM cost_monthly WHERE data_source_id = $1 AND job_id <> $2 AND ${condition}`, params);
  }
  if (partial.length) {
    const params: unknown[] = [dataSourceId, jobId];
    const months = windowsCondition(
      partial.map(({ start, end }) => ({ start, end })),
      params,
    );
    await tx.query(`DELETE FROM cost_monthly WHERE data_source_id = $1 AND job_id <> $2 AND ${months}`, params);
    await hashedSums(tx, insertSums(`data_source_id = $1 AND job_id <> $2 AND ${months} AND ${PUBLISHED}`), params);
  }
}

/** Retention: months before `month` are gone from the rows, so from the rollup. */
export async function dropBefore(tx: Queryable, dataSourceId: string, month: string): Promise<void> {
  await tx.query('DELETE FROM cost_monthly WHERE data_source_id = $1 AND billed_month < $2', [dataSourceId, month]);
}

/** A job that ended unpublished: its finished tasks' sums go with its rows. */
export async function forgetJob(tx: Queryable, jobId: string): Promise<void> {
  await tx.query('DELETE FROM cost_monthly WHERE job_id = $1', [jobId]);
}

const FINISHED = `(${PUBLISHED} OR EXISTS (SELECT 1 FROM job_task t WHERE t.job_task_id = cost.job_task_id AND t.status = 'SUCCESS'))`;

/**
 * The whole rollup summed again from the rows of published jobs and finished tasks (what
 * `rollUpTask` adds up to): for rows written or changed by hand, outside the engine.
 */
export async function rebuildRollups(db: Database): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM cost_monthly');
    await hashedSums(tx, insertSums(FINISHED));
  });
}
