import { err } from '../domain/errors.js';
import { compile, join, raw, sql } from '../query/sql.js';
import type { Queryable } from './database.js';
import type { DataSourceRow, PluginInfoRow } from './rows.js';

/** Writes to `data_source`. Reads go through the query compiler with the caller's scope. */

export interface NewDataSource {
  data_source_id: string;
  name: string;
  data_source_type: DataSourceRow['data_source_type'];
  provider: string | null;
  secret_type: DataSourceRow['secret_type'];
  secret_filter: Record<string, unknown> | null;
  plugin_info: PluginInfoRow | null;
  secret_data_encrypted: string | null;
  template: Record<string, unknown>;
  tags: Record<string, unknown>;
  schedule_state: DataSourceRow['schedule_state'];
  schedule_hour: number;
  retention_months: number | null;
  resource_group: DataSourceRow['resource_group'];
  workspace_id: string;
  domain_id: string;
}

/** Columns a data source can change after it is registered. */
export type DataSourcePatch = Partial<
  Pick<
    DataSourceRow,
    | 'name'
    | 'secret_filter'
    | 'permissions'
    | 'plugin_info'
    | 'secret_data_encrypted'
    | 'template'
    | 'tags'
    | 'schedule_state'
    | 'schedule_hour'
    | 'retention_months'
  >
>;

const JSON_COLUMNS = new Set(['secret_filter', 'permissions', 'plugin_info', 'template', 'tags']);
const UPDATABLE: readonly (keyof DataSourcePatch)[] = [
  'name',
  'secret_filter',
  'permissions',
  'plugin_info',
  'secret_data_encrypted',
  'template',
  'tags',
  'schedule_state',
  'schedule_hour',
  'retention_months',
];

/** JSONB values are bound as JSON text: the drivers would turn a JS array into a PostgreSQL array. */
const bind = (column: string, value: unknown) =>
  JSON_COLUMNS.has(column) && value !== null ? sql`${JSON.stringify(value)}::jsonb` : sql`${value}`;

export async function insertDataSource(db: Queryable, row: NewDataSource): Promise<DataSourceRow> {
  const columns = Object.keys(row) as (keyof NewDataSource)[];
  const query = compile(
    sql`INSERT INTO data_source (${raw(columns.join(', '))}) VALUES (${join(
      columns.map((c) => bind(c, row[c])),
      ', ',
    )}) RETURNING *`,
  );
  return uniqueName(() => db.query<DataSourceRow>(query.sql, query.params)).then((rows) => rows[0]);
}

export async function updateDataSource(db: Queryable, dataSourceId: string, patch: DataSourcePatch): Promise<DataSourceRow> {
  const sets = UPDATABLE.filter((column) => column in patch).map((column) => sql`${raw(column)} = ${bind(column, patch[column])}`);
  const assignments = join([...sets, raw('updated_at = now()')], ', ');
  const query = compile(sql`UPDATE data_source SET ${assignments} WHERE data_source_id = ${dataSourceId} RETURNING *`);
  const [row] = await uniqueName(() => db.query<DataSourceRow>(query.sql, query.params));
  if (!row) throw err.notFound('data_source_id', dataSourceId);
  return row;
}

export async function runningJobId(db: Queryable, dataSourceId: string): Promise<string | undefined> {
  const [row] = await db.query<{ job_id: string }>(`SELECT job_id FROM job WHERE data_source_id = $1 AND status = 'IN_PROGRESS'`, [
    dataSourceId,
  ]);
  return row?.job_id;
}

/**
 * Removes a data source, and with `deleteCosts` every cost row it produced, in one
 * transaction. Its jobs and tasks stay as history.
 */
export async function deleteDataSource(tx: Queryable, dataSourceId: string, deleteCosts: boolean): Promise<void> {
  await tx.query('SELECT data_source_id FROM data_source WHERE data_source_id = $1 FOR UPDATE', [dataSourceId]);
  if (deleteCosts) {
    await tx.query('DELETE FROM cost WHERE data_source_id = $1', [dataSourceId]);
    await tx.query('DELETE FROM cost_monthly WHERE data_source_id = $1', [dataSourceId]);
  }
  await tx.query('DELETE FROM data_source WHERE data_source_id = $1', [dataSourceId]);
}

/** The name is unique per domain: a clash is ERROR_SAVE_UNIQUE_VALUES, not a database error. */
async function uniqueName<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: unknown }).code === '23505') throw err.unique('domain_id, name');
    throw error;
  }
}
