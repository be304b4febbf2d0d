import type { CostInfo, LinkedAccount, PluginClient, Struct } from '../plugins/plugin.js';
import { accountsOf, upsertAccounts } from '../store/data-source-accounts.js';
import type { Queryable } from '../store/database.js';
import type { AccountRouting, DataSourceRow } from '../store/rows.js';

/**
 * Account routing, as upstream (spec §1.5–1.7): a plugin whose init metadata says
 * `use_account_routing` lists the accounts its credentials reach (`Cost.get_linked_accounts`);
 * they are kept as the data source's accounts, each mappable to a workspace
 * (DataSourceAccount.update). Each row's account is the value at the metadata's
 * `account_match_key` (a dotted path, e.g. `additional_info.Account ID`); a row of a mapped
 * account belongs to that workspace, any other row stays where its data source is.
 *
 * The mapping a job routes with is the one when it was planned (kept on the job), so a
 * mapping changed mid-sync applies to the next sync, never to half of this one.
 */

/** Upstream's default match key: the account id plugins put in additional_info. */
export const DEFAULT_ACCOUNT_MATCH_KEY = 'additional_info.Account ID';

export function usesAccountRouting(dataSource: DataSourceRow): boolean {
  return dataSource.plugin_info?.metadata?.use_account_routing === true;
}

/** The plugin's accounts, stored (new ones added, names refreshed), then all of the data source's. */
export async function refreshLinkedAccounts(
  db: Queryable,
  dataSource: DataSourceRow,
  plugin: PluginClient,
  request: { options: Struct; secret_data: Struct },
  signal: AbortSignal,
): Promise<LinkedAccount[]> {
  if (!plugin.getLinkedAccounts) {
    throw new Error('the plugin asks for account routing (use_account_routing) but does not list its accounts (get_linked_accounts)');
  }
  const answer = await plugin.getLinkedAccounts({ ...request, domain_id: dataSource.domain_id }, signal);
  const listed = (Array.isArray(answer?.results) ? answer.results : []).filter(
    (a): a is { account_id: string; name?: string } => typeof a?.account_id === 'string' && a.account_id !== '',
  );
  await upsertAccounts(db, dataSource, listed);
  const accounts = await accountsOf(db, dataSource.data_source_id);
  return accounts.map((a) => ({ data_source_id: a.data_source_id, account_id: a.account_id, name: a.name, is_sync: a.is_sync }));
}

/** What a job routes with: the match key and the mapped accounts, as planned. */
export async function routingSnapshot(db: Queryable, dataSource: DataSourceRow): Promise<AccountRouting> {
  const key = dataSource.plugin_info?.metadata?.account_match_key;
  const accounts = await accountsOf(db, dataSource.data_source_id);
  return {
    account_match_key: typeof key === 'string' && key !== '' ? key : DEFAULT_ACCOUNT_MATCH_KEY,
    workspaces: Object.fromEntries(accounts.flatMap((a) => (a.workspace_id ? [[a.account_id, a.workspace_id]] : []))),
  };
}

/** A compiled routing: the row's account, and the workspace it routes to (undefined: not mapped). */
export interface RowRouter {
  accountOf(row: CostInfo): string | null;
  workspaceOf(accountId: string | null): string | undefined;
}

export function rowRouter(routing: AccountRouting): RowRouter {
  const path = routing.account_match_key.split('.');
  const workspaces = new Map(Object.entries(routing.workspaces));
  return {
    accountOf(row) {
      let value: unknown = row;
      for (const segment of path) {
        if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) return null;
        value = (value as Record<string, unknown>)[segment];
      }
      if (typeof value === 'number') return String(value);
      return typeof value === 'string' && value !== '' ? value : null;
    },
    workspaceOf: (accountId) => (accountId === null ? undefined : workspaces.get(accountId)),
  };
}
