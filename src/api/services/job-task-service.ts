import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { TASK_STATUS } from '../../domain/status.js';
import { JOB_TASK_CATALOGUE } from '../../query/catalogues.js';
import { requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery } from '../../query/parse-stat.js';
import type { JobTaskRow } from '../../store/rows.js';
import { jobTaskInfo, jobTaskMinimal, type Wire } from '../views.js';
import { findVisible, projectGet, runList, runStat } from './reading.js';
import { listConditions, requestedWorkspace } from './request-filters.js';

/**
 * JobTask: get, list, stat (spec §2.3). Unlike the upstream, list is scoped like get and
 * stat: a workspace role sees only its workspace's tasks and the domain-level ones.
 */

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const task = await findVisible<JobTaskRow>(ctx.db, JOB_TASK_CATALOGUE, requireString(request, 'job_task_id'), principal);
  return projectGet(JOB_TASK_CATALOGUE, jobTaskInfo(task), request);
}

async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runList<JobTaskRow>(ctx.db, JOB_TASK_CATALOGUE, {
    principal,
    query: parseListQuery(request.query),
    conditions: listConditions(request, ['job_task_id', 'status', 'job_id', 'data_source_id'], {
      status: Object.values(TASK_STATUS),
    }),
    workspaceId: requestedWorkspace(request),
    view: jobTaskInfo,
    minimalView: jobTaskMinimal,
  });
}

async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runStat(ctx.db, JOB_TASK_CATALOGUE, {
    principal,
    query: parseStatQuery(request.query),
    workspaceId: requestedWorkspace(request),
  });
}

export const jobTaskService = { get, list, stat };
