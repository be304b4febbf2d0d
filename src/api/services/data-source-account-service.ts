import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { err } from '../../domain/errors.js';
import { DOMAIN_WORKSPACE, ROLE } from '../../domain/status.js';
import { DATA_SOURCE_ACCOUNT_CATALOGUE, DATA_SOURCE_CATALOGUE } from '../../query/catalogues.js';
import { requestConditions, type Condition } from '../../query/filter.js';
import { readBoolean, readString, requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery } from '../../query/parse-stat.js';
import { resetAccounts, setAccountWorkspace } from '../../store/data-source-accounts.js';
import type { DataSourceAccountRow, DataSourceRow } from '../../store/rows.js';
import { dataSourceAccountInfo, dataSourceAccountMinimal, type Wire } from '../views.js';
import { findVisible, runList, runStat } from './reading.js';

/**
 * DataSourceAccount (upstream's account-routing API): the accounts a routing plugin reaches,
 * and the workspace each one's cost rows are routed to. Routing decides which workspaces see
 * which costs, so every verb is DOMAIN_ADMIN's alone (ERROR_PERMISSION_DENIED for any other
 * role, before anything is looked up); a data source outside the caller's domain is
 * ERROR_NOT_FOUND. A changed mapping applies from the next sync on (the engine routes a job
 * with the mapping it was planned with).
 */

function assertDomainAdmin(principal: Principal): void {
  if (principal.role !== ROLE.DOMAIN_ADMIN) {
    throw err.permission('only DOMAIN_ADMIN manages data source accounts (account routing is domain administration)');
  }
}

/** The data source the request names, in the caller's domain. */
function dataSourceOf(ctx: AppContext, principal: Principal, dataSourceId: string): Promise<DataSourceRow> {
  return findVisible<DataSourceRow>(ctx.db, DATA_SOURCE_CATALOGUE, dataSourceId, principal);
}

/** Equality conditions for the request-level filters given (absent and "" are skipped). */
function accountConditions(filters: Record<string, string | boolean | undefined>): Condition[] {
  return requestConditions(filters, Object.keys(filters));
}

/**
 * One account, as its view. The key is (data_source_id, account_id) and `findVisible` looks up
 * a single id column, so this is a list with both keys as conditions, in the caller's scope.
 */
async function findAccount(ctx: AppContext, principal: Principal, dataSourceId: string, accountId: string): Promise<Wire> {
  const { results } = await runList<DataSourceAccountRow>(ctx.db, DATA_SOURCE_ACCOUNT_CATALOGUE, {
    principal,
    query: parseListQuery(undefined),
    conditions: accountConditions({ data_source_id: dataSourceId, account_id: accountId }),
    view: dataSourceAccountInfo,
    minimalView: dataSourceAccountMinimal,
  });
  const [account] = results as Wire[];
  if (!account) throw err.notFound('account_id', accountId);
  return account;
}

/**
 * The workspace to route to: a workspace id, or null (absent, null or "", which is how proto3
 * sends "no value") to keep the account's rows domain-level. `"*"` is refused: a cost row in
 * `"*"` would be visible to every workspace.
 */
function routedWorkspace(request: Json): string | null {
  const workspaceId = readString(request, 'workspace_id');
  if (workspaceId === undefined) return null;
  if (workspaceId.trim() === '') throw err.invalid('workspace_id', 'must be a workspace id, or null or "" to clear the mapping');
  if (workspaceId === DOMAIN_WORKSPACE) {
    throw err.invalid(
      'workspace_id',
      'must be a workspace id: "*" would show the account\'s costs to every workspace (null or "" keeps them domain-level)',
    );
  }
  return workspaceId;
}

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertDomainAdmin(principal);
  const dataSource = await dataSourceOf(ctx, principal, requireString(request, 'data_source_id'));
  return findAccount(ctx, principal, dataSource.data_source_id, requireString(request, 'account_id'));
}

/** `workspace_id` filters by the mapping (a DOMAIN_ADMIN's scope is the whole domain anyway). */
async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertDomainAdmin(principal);
  const dataSourceId = readString(request, 'data_source_id');
  if (dataSourceId !== undefined) await dataSourceOf(ctx, principal, dataSourceId);
  return runList<DataSourceAccountRow>(ctx.db, DATA_SOURCE_ACCOUNT_CATALOGUE, {
    principal,
    query: parseListQuery(request.query),
    conditions: accountConditions({
      data_source_id: dataSourceId,
      account_id: readString(request, 'account_id'),
      name: readString(request, 'name'),
      workspace_id: readString(request, 'workspace_id'),
      is_sync: readBoolean(request, 'is_sync'),
    }),
    view: dataSourceAccountInfo,
    minimalView: dataSourceAccountMinimal,
  });
}

async function update(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertDomainAdmin(principal);
  const dataSource = await dataSourceOf(ctx, principal, requireString(request, 'data_source_id'));
  const accountId = requireString(request, 'account_id');
  const row = await setAccountWorkspace(ctx.db, dataSource.data_source_id, accountId, routedWorkspace(request));
  if (!row) throw err.notFound('account_id', accountId);
  return dataSourceAccountInfo(row);
}

/** Back to unmapped and not synced: the account named, or every account of the data source. */
async function reset(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertDomainAdmin(principal);
  const dataSource = await dataSourceOf(ctx, principal, requireString(request, 'data_source_id'));
  const accountId = readString(request, 'account_id') ?? null;
  const rows = await resetAccounts(ctx.db, dataSource.data_source_id, accountId);
  if (accountId !== null && rows.length === 0) throw err.notFound('account_id', accountId);
  return {};
}

async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertDomainAdmin(principal);
  return runStat(ctx.db, DATA_SOURCE_ACCOUNT_CATALOGUE, { principal, query: parseStatQuery(request.query) });
}

export const dataSourceAccountService = { get, list, update, reset, stat };
