import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { err } from '../../domain/errors.js';
import { COST_CATALOGUE } from '../../query/catalogues.js';
import { requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery } from '../../query/parse-stat.js';
import type { CostRow } from '../../store/rows.js';
import { costInfo, costMinimal, type Wire } from '../views.js';
import { findVisible, projectGet, runList, runStat } from './reading.js';
import { listConditions, requestedWorkspace } from './request-filters.js';

/**
 * Cost: get, list, stat (spec §2.5), read only through the `published_cost` view (the
 * catalogue's source), so rows of a running, failed or cancelled job are never seen.
 * create and delete are not part of the API (rows come only from syncs).
 */

const LIST_FILTERS = [
  'cost_id',
  'provider',
  'region_code',
  'region_key',
  'product',
  'usage_type',
  'resource',
  'service_account_id',
  'data_source_id',
  'project_id',
];

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const cost = await findVisible<CostRow>(ctx.db, COST_CATALOGUE, requireString(request, 'cost_id'), principal);
  return projectGet(COST_CATALOGUE, costInfo(cost), request);
}

/** `data_source_id` is required; pages hold at most 1000 rows (the catalogue's page limit). */
async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  requireString(request, 'data_source_id');
  if (request.project_group_id !== undefined) {
    throw err.notSupportQueryOption('project_group_id', 'project groups are not known to this service');
  }
  // `user_projects` is the upstream's name for a project_id filter on costs.
  const conditions = listConditions({ ...request, project_id: request.project_id ?? request.user_projects }, LIST_FILTERS);
  return runList<CostRow>(ctx.db, COST_CATALOGUE, {
    principal,
    query: parseListQuery(request.query),
    conditions,
    workspaceId: requestedWorkspace(request),
    view: costInfo,
    minimalView: costMinimal,
  });
}

/** Only `distinct`, as upstream (which answers it from monthly aggregates). */
async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const query = parseStatQuery(request.query);
  if (query.distinct === undefined) throw err.notSupportQueryOption('aggregate', 'Cost.stat supports distinct only');
  return runStat(ctx.db, COST_CATALOGUE, { principal, query, workspaceId: requestedWorkspace(request) });
}

async function notSupported(): Promise<Wire> {
  throw err.notSupportApi();
}

export const costService = { create: notSupported, delete: notSupported, get, list, stat };
