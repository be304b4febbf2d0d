import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { assertCanWrite, assertWriter } from '../../auth/scope.js';
import { JOB_STATUS } from '../../domain/status.js';
import { JOB_CATALOGUE } from '../../query/catalogues.js';
import { requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery } from '../../query/parse-stat.js';
import type { JobRow } from '../../store/rows.js';
import { jobInfo, jobMinimal, type Wire } from '../views.js';
import { findVisible, projectGet, runList, runStat } from './reading.js';
import { listConditions, requestedWorkspace } from './request-filters.js';

/** Job: cancel, get, list, stat (spec §2.2). */

async function cancel(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertWriter(principal);
  const jobId = requireString(request, 'job_id');
  const job = await findVisible<JobRow>(ctx.db, JOB_CATALOGUE, jobId, principal);
  assertCanWrite(principal, job);
  return jobInfo(await ctx.engine.cancel(job.job_id));
}

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const job = await findVisible<JobRow>(ctx.db, JOB_CATALOGUE, requireString(request, 'job_id'), principal);
  return projectGet(JOB_CATALOGUE, jobInfo(job), request);
}

async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runList<JobRow>(ctx.db, JOB_CATALOGUE, {
    principal,
    query: parseListQuery(request.query),
    conditions: listConditions(request, ['job_id', 'status', 'data_source_id'], { status: Object.values(JOB_STATUS) }),
    workspaceId: requestedWorkspace(request),
    view: jobInfo,
    minimalView: jobMinimal,
  });
}

async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runStat(ctx.db, JOB_CATALOGUE, {
    principal,
    query: parseStatQuery(request.query),
    workspaceId: requestedWorkspace(request),
  });
}

export const jobService = { cancel, get, list, stat };
