import type { Queryable } from './database.js';
import type { DataSourceAccountRow } from './rows.js';

/**
 * Writes to `data_source_account` (account routing). Reads for the API go through the query
 * compiler; the engine reads a data source's accounts whole, when it plans a job.
 */

/**
 * The accounts a plugin listed: new ones are added (not synced, not mapped), a changed name is
 * updated, and none is ever removed (a later listing may bring it back), as upstream does.
 */
const UPSERT_ACCOUNTS = `
  INSERT INTO data_source_account (data_source_id, account_id, name, domain_id)
  SELECT $1, a.account_id, coalesce(a.name, ''), $2
    FROM jsonb_to_recordset($3::jsonb) AS a(account_id text, name text)
   WHERE a.account_id IS NOT NULL AND a.account_id <> ''
  ON CONFLICT (data_source_id, account_id) DO UPDATE
     SET name = EXCLUDED.name, updated_at = now()
   WHERE data_source_account.name IS DISTINCT FROM EXCLUDED.name`;

const ACCOUNTS_OF = `SELECT * FROM data_source_account WHERE data_source_id = $1 ORDER BY account_id`;

const MARK_SYNCED = `
  UPDATE data_source_account SET is_sync = true, updated_at = now()
   WHERE data_source_id = $1 AND account_id = ANY($2::text[]) AND NOT is_sync`;

const SET_WORKSPACE = `
  UPDATE data_source_account SET workspace_id = $3, updated_at = now()
   WHERE data_source_id = $1 AND account_id = $2
  RETURNING *`;

const RESET = `
  UPDATE data_source_account SET workspace_id = NULL, is_sync = false, updated_at = now()
   WHERE data_source_id = $1 AND ($2::text IS NULL OR account_id = $2)
  RETURNING *`;

const RECOUNT = `
  UPDATE data_source d
     SET data_source_account_count = c.accounts, connected_workspace_count = c.workspaces
    FROM (SELECT count(*)::int AS accounts, count(DISTINCT workspace_id)::int AS workspaces
            FROM data_source_account WHERE data_source_id = $1) c
   WHERE d.data_source_id = $1
     AND (d.data_source_account_count, d.connected_workspace_count) IS DISTINCT FROM (c.accounts, c.workspaces)`;

/** DataSourceInfo's `data_source_account_count` and `connected_workspace_count`, after accounts or mappings change. */
export async function recountAccounts(db: Queryable, dataSourceId: string): Promise<void> {
  await db.query(RECOUNT, [dataSourceId]);
}

export async function upsertAccounts(
  db: Queryable,
  dataSource: { data_source_id: string; domain_id: string },
  accounts: readonly { account_id: string; name?: string }[],
): Promise<void> {
  if (accounts.length === 0) return;
  await db.query(UPSERT_ACCOUNTS, [dataSource.data_source_id, dataSource.domain_id, JSON.stringify(accounts)]);
  await recountAccounts(db, dataSource.data_source_id);
}

export function accountsOf(db: Queryable, dataSourceId: string): Promise<DataSourceAccountRow[]> {
  return db.query<DataSourceAccountRow>(ACCOUNTS_OF, [dataSourceId]);
}

/** At a job's success: the accounts it synced. */
export async function markAccountsSynced(db: Queryable, dataSourceId: string, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length > 0) await db.query(MARK_SYNCED, [dataSourceId, accountIds]);
}

/** Routes an account's future rows to `workspaceId` (null: domain-level); undefined when there is no such account. */
export async function setAccountWorkspace(
  db: Queryable,
  dataSourceId: string,
  accountId: string,
  workspaceId: string | null,
): Promise<DataSourceAccountRow | undefined> {
  const [row] = await db.query<DataSourceAccountRow>(SET_WORKSPACE, [dataSourceId, accountId, workspaceId]);
  if (row) await recountAccounts(db, dataSourceId);
  return row;
}

/** Back to unmapped and unsynced: one account, or all of the data source's. */
export async function resetAccounts(db: Queryable, dataSourceId: string, accountId: string | null): Promise<DataSourceAccountRow[]> {
  const rows = await db.query<DataSourceAccountRow>(RESET, [dataSourceId, accountId]);
  await recountAccounts(db, dataSourceId);
  return rows;
}
