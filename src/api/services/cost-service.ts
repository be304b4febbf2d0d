import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { err } from '../../domain/errors.js';
import { parseAnalyzeQuery } from '../../query/analyze.js';
import { COST_CATALOGUE } from '../../query/catalogues.js';
import { requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery, type StatQuery } from '../../query/parse-stat.js';
import { costSource } from '../../query/rollup.js';
import type { CostRow } from '../../store/rows.js';
import { costInfo, costMinimal, type Wire } from '../views.js';
import { findVisible, projectGet, runAnalyze, runList, runStat } from './reading.js';
import { listConditions, requestedWorkspace } from './request-filters.js';

/**
 * Cost: get, list, analyze, stat (spec §2.5), read only through the `published_cost` view
 * (the catalogue's source), so rows of a running, failed or cancelled job are never seen.
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
  'billed_year',
  'billed_month',
  'billed_date',
];

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const cost = await findVisible<CostRow>(ctx.db, COST_CATALOGUE, requireString(request, 'cost_id'), principal);
  return projectGet(COST_CATALOGUE, costInfo(cost), request);
}

/**
 * Cost reads can be heavy: each runs in one of the API's cost-query slots (QuerySlots), and the
 * request is parsed and checked before it waits for one.
 */

/** `data_source_id` is required; pages hold at most 1000 rows (the catalogue's page limit). */
async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  requireString(request, 'data_source_id');
  const options = {
    principal,
    query: parseListQuery(request.query),
    conditions: costConditions(request),
    workspaceId: requestedWorkspace(request),
    view: costInfo,
    minimalView: costMinimal,
  };
  return ctx.costQueries.run(principal.domainId, () => runList<CostRow>(ctx.db, COST_CATALOGUE, options));
}

/**
 * TimeSeriesAnalyzeQuery over the published rows of one data source (query/analyze.ts);
 * `{results, more}`. Monthly and yearly figures come from the monthly rollup, which the engine
 * keeps equal to the rows (unlike upstream's MonthlyCost, it always agrees with the daily ones).
 */
async function analyze(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  requireString(request, 'data_source_id');
  const { catalogue, ...options } = source(principal, parseAnalyzeQuery(request.query), request);
  return ctx.costQueries.run(principal.domainId, () => runAnalyze(ctx.db, catalogue, options));
}

/**
 * `distinct` and `aggregate` (upstream refuses aggregate on costs; here it is the same
 * pipeline as every other resource's, over the published rows). The request-level filters of
 * list (`data_source_id`, `provider`, …) narrow it too.
 */
async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const { catalogue, ...options } = source(principal, parseStatQuery(request.query), request);
  return ctx.costQueries.run(principal.domainId, () => runStat(ctx.db, catalogue, options));
}

/** The monthly rollup when it gives the answer (query/rollup.ts), else the cost rows. */
function source(principal: Principal, query: StatQuery, request: Json) {
  const conditions = costConditions(request);
  return { ...costSource(query, conditions), principal, conditions, workspaceId: requestedWorkspace(request) };
}

/** Request-level filters; `user_projects` is the upstream's name for a project_id filter on costs. */
function costConditions(request: Json) {
  if (request.project_group_id !== undefined) {
    throw err.notSupportQueryOption('project_group_id', 'project groups are not known to this service');
  }
  return listConditions({ ...request, project_id: request.project_id ?? request.user_projects }, LIST_FILTERS);
}

async function notSupported(): Promise<Wire> {
  throw err.notSupportApi();
}

export const costService = { create: notSupported, delete: notSupported, get, list, analyze, stat };
