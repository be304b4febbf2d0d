import assert from 'node:assert/strict';
import { newId } from '../../src/domain/ids.js';
import { rebuildRollups } from '../../src/engine/rollup.js';
import type { TestApp } from './harness.js';

/**
 * A small multi-tenant world. Domain A has a domain-level data source (`"*"`) and one data
 * source in each of the workspaces ws-1 and ws-2; domain B has one of its own. Each data
 * source has a finished job (SUCCESS) with one task and two published cost rows; the ws-1 and
 * domain-level sources also have a running job with one unpublished cost row. Cost rows of a
 * DOMAIN source have no workspace (as a sync writes them), so only a DOMAIN_ADMIN sees them.
 */
export const DOMAIN_A = 'domain-aaaaaaaaaaaa';
export const DOMAIN_B = 'domain-bbbbbbbbbbbb';
export const SECRET_VALUE = 'top-secret-value-7f3a9c';

export interface Source {
  readonly dataSourceId: string;
  readonly workspaceId: string;
  readonly doneJobId: string;
  readonly doneTaskId: string;
  readonly costIds: readonly string[];
  readonly runningJobId?: string;
  readonly runningTaskId?: string;
  readonly hiddenCostId?: string;
}

export interface World {
  readonly tokens: {
    da: string;
    wo1: string;
    wm1: string;
    wo2: string;
    daB: string;
  };
  readonly domainSource: Source;
  readonly ws1Source: Source;
  readonly ws2Source: Source;
  readonly otherDomainSource: Source;
}

export async function seedWorld(t: TestApp): Promise<World> {
  const tokens = {
    da: await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' }),
    wo1: await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_OWNER', workspaceId: 'ws-1' }),
    wm1: await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_MEMBER', workspaceId: 'ws-1' }),
    wo2: await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_OWNER', workspaceId: 'ws-2' }),
    daB: await t.token({ domainId: DOMAIN_B, role: 'DOMAIN_ADMIN' }),
  };
  return {
    tokens,
    domainSource: await seedSource(t, tokens.da, { name: 'domain costs', resource_group: 'DOMAIN' }, true),
    ws1Source: await seedSource(t, tokens.da, { name: 'ws-1 costs', resource_group: 'WORKSPACE', workspace_id: 'ws-1' }, true),
    ws2Source: await seedSource(t, tokens.da, { name: 'ws-2 costs', resource_group: 'WORKSPACE', workspace_id: 'ws-2' }, false),
    otherDomainSource: await seedSource(t, tokens.daB, { name: 'domain costs', resource_group: 'DOMAIN' }, true),
  };
}

export function registerBody(extra: Record<string, unknown>): Record<string, unknown> {
  return {
    data_source_type: 'EXTERNAL',
    plugin_info: { plugin_id: 'synthetic', options: { accounts: 1, months: 1 }, secret_data: { api_key: SECRET_VALUE } },
    tags: { env: 'test' },
    ...extra,
  };
}

async function seedSource(t: TestApp, token: string, body: Record<string, unknown>, running: boolean): Promise<Source> {
  const answer = await t.post('/cost-analysis/data-source/register', token, registerBody(body));
  assert.equal(answer.status, 200, answer.text);
  const ds = answer.body as { data_source_id: string; workspace_id: string; domain_id: string; resource_group: string };
  const done = await insertJob(t, ds, 'SUCCESS', '2025-09-01T10:00:00Z');
  const costIds = [await insertCost(t, ds, done, '2025-08-01', 10), await insertCost(t, ds, done, '2025-08-02', 5.5)];
  if (!running)
    return { dataSourceId: ds.data_source_id, workspaceId: ds.workspace_id, doneJobId: done.jobId, doneTaskId: done.taskId, costIds };
  const live = await insertJob(t, ds, 'IN_PROGRESS', '2025-09-02T10:00:00Z');
  return {
    dataSourceId: ds.data_source_id,
    workspaceId: ds.workspace_id,
    doneJobId: done.jobId,
    doneTaskId: done.taskId,
    costIds,
    runningJobId: live.jobId,
    runningTaskId: live.taskId,
    hiddenCostId: await insertCost(t, ds, live, '2025-08-03', 99),
  };
}

type DsRef = { data_source_id: string; workspace_id: string; domain_id: string; resource_group: string };

export interface JobExtra {
  readonly totalTasks?: number;
  readonly syncMode?: 'MANUAL' | 'SCHEDULED';
  readonly errorCode?: string;
}

export async function insertJob(
  t: TestApp,
  ds: DsRef,
  status: string,
  createdAt: string,
  extra: JobExtra = {},
): Promise<{ jobId: string; taskId: string }> {
  const jobId = newId('job');
  const taskId = newId('jobTask');
  const finished = status === 'IN_PROGRESS' ? null : createdAt;
  await t.db.query(
    `INSERT INTO job (job_id, status, options, total_tasks, remained_tasks, changed, planned, deadline_at, error_code,
                      resource_group, workspace_id, domain_id, data_source_id, created_at, updated_at, finished_at)
     VALUES ($1, $2, $3, $11, $4, '[{"start": "2025-08"}]', true, now() + interval '1 hour', $12, $5, $6, $7, $8, $9, $9, $10)`,
    [
      jobId,
      status,
      JSON.stringify({ no_preload_cache: false, start: null, sync_mode: extra.syncMode ?? 'MANUAL' }),
      status === 'IN_PROGRESS' ? 1 : 0,
      ds.resource_group,
      ds.workspace_id,
      ds.domain_id,
      ds.data_source_id,
      createdAt,
      finished,
      extra.totalTasks ?? 1,
      extra.errorCode ?? null,
    ],
  );
  await t.db.query(
    `INSERT INTO job_task (job_task_id, status, options, changed, created_count, seq, resource_group, workspace_id, domain_id,
                           job_id, data_source_id, created_at, updated_at, finished_at)
     VALUES ($1, $2, '{"month": "2025-08"}', '{"start": "2025-08"}', 2, 0, $3, $4, $5, $6, $7, $8, $8, $9)`,
    [
      taskId,
      status === 'IN_PROGRESS' ? 'PENDING' : 'SUCCESS',
      ds.resource_group,
      ds.workspace_id,
      ds.domain_id,
      jobId,
      ds.data_source_id,
      createdAt,
      finished,
    ],
  );
  return { jobId, taskId };
}

/** As the engine stamps rows: a WORKSPACE source's workspace; no workspace for a DOMAIN source. */
const costWorkspace = (ds: DsRef) => (ds.resource_group === 'DOMAIN' ? null : ds.workspace_id);

export async function insertCost(
  t: TestApp,
  ds: DsRef,
  job: { jobId: string; taskId: string },
  billedDate: string,
  cost: number,
): Promise<string> {
  const costId = newId('cost');
  await t.db.query(
    `INSERT INTO cost (cost_id, cost, usage_quantity, provider, region_code, region_key, product, tags, additional_info, data,
                       data_source_id, job_id, job_task_id, workspace_id, domain_id, billed_year, billed_month, billed_date)
     VALUES ($1, $2, 1, 'aws', 'us-east-1', 'aws.us-east-1', 'Compute', '{"env": "prod"}', '{"Account ID": "123456789012"}',
             '{"hours": 2}', $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      costId,
      cost,
      ds.data_source_id,
      job.jobId,
      job.taskId,
      costWorkspace(ds),
      ds.domain_id,
      billedDate.slice(0, 4),
      billedDate.slice(0, 7),
      billedDate,
    ],
  );
  await rebuildRollups(t.db);
  return costId;
}
