import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { seedWorld, type Source, type World } from './world.js';

/** Every write route with a body that targets one data source or job of a source. */
function writes(s: Source): [string, Record<string, unknown>][] {
  return [
    ['data-source/update', { data_source_id: s.dataSourceId, name: 'renamed' }],
    ['data-source/update-plugin', { data_source_id: s.dataSourceId, options: { months: 2 } }],
    ['data-source/update-secret-data', { data_source_id: s.dataSourceId, secret_data: { api_key: 'x' } }],
    ['data-source/update-permissions', { data_source_id: s.dataSourceId, permissions: { deny: [] } }],
    ['data-source/verify-plugin', { data_source_id: s.dataSourceId }],
    ['data-source/sync', { data_source_id: s.dataSourceId }],
    ['data-source/deregister', { data_source_id: s.dataSourceId }],
    ['job/cancel', { job_id: s.runningJobId ?? s.doneJobId }],
  ];
}

/** Every read route for one resource id, in all path forms. */
function gets(t: TestApp, token: string, s: Source) {
  return [
    () => t.post('/cost-analysis/v1/job/get', token, { job_id: s.doneJobId }),
    () => t.post('/cost-analysis/job/get', token, { job_id: s.doneJobId }),
    () => t.post('/cost-analysis/v1/job-task/get', token, { job_task_id: s.doneTaskId }),
    () => t.call('GET', `/cost-analysis/v1/job-task/${s.doneTaskId}`, { token }),
    () => t.post('/cost-analysis/v1/data-source/get', token, { data_source_id: s.dataSourceId }),
    () => t.post('/cost-analysis/v1/cost/get', token, { cost_id: s.costIds[0] }),
  ];
}

const ids = (answer: { body: any }, key: string) => new Set<string>(answer.body.results.map((r: any) => r[key]));

/** What a caller sees of jobs, tasks, data sources and (published) costs, through every list and stat route. */
async function visibleEverywhere(t: TestApp, token: string, sources: Source[]) {
  const costs = new Set<string>();
  for (const s of sources) {
    const list = await t.post('/cost-analysis/v1/cost/list', token, { data_source_id: s.dataSourceId });
    for (const id of ids(list, 'cost_id')) costs.add(id);
  }
  const views = {
    jobs: [
      ids(await t.post('/cost-analysis/v1/job/list', token, {}), 'job_id'),
      new Set<string>((await t.post('/cost-analysis/v1/job/stat', token, { query: { distinct: 'job_id' } })).body.results),
    ],
    tasks: [
      ids(await t.post('/cost-analysis/v1/job-task/list', token, {}), 'job_task_id'),
      ids(await t.call('GET', '/cost-analysis/v1/job-tasks', { token }), 'job_task_id'),
      ids(await t.post('/cost-analysis/v1/job-tasks/search', token, {}), 'job_task_id'),
      new Set<string>((await t.post('/cost-analysis/v1/job-tasks/stat', token, { query: { distinct: 'job_task_id' } })).body.results),
    ],
    dataSources: [
      ids(await t.post('/cost-analysis/v1/data-source/list', token, {}), 'data_source_id'),
      new Set<string>((await t.post('/cost-analysis/v1/data-source/stat', token, { query: { distinct: 'data_source_id' } })).body.results),
    ],
    costs: [costs, new Set<string>((await t.post('/cost-analysis/v1/cost/stat', token, { query: { distinct: 'cost_id' } })).body.results)],
  };
  return views;
}

/** Cost rows carry their own workspace: those of a DOMAIN source have none, so `costSources` may differ. */
function expected(sources: Source[], costSources: Source[]) {
  return {
    jobs: new Set(sources.flatMap((s) => [s.doneJobId, ...(s.runningJobId ? [s.runningJobId] : [])])),
    tasks: new Set(sources.flatMap((s) => [s.doneTaskId, ...(s.runningTaskId ? [s.runningTaskId] : [])])),
    dataSources: new Set(sources.map((s) => s.dataSourceId)),
    costs: new Set(costSources.flatMap((s) => s.costIds)),
  };
}

async function assertSeesExactly(t: TestApp, token: string, visible: Source[], all: Source[], costSources = visible) {
  const seen = await visibleEverywhere(t, token, all);
  const want = expected(visible, costSources);
  for (const kind of ['jobs', 'tasks', 'dataSources', 'costs'] as const) {
    for (const [i, set] of seen[kind].entries()) assert.deepEqual(set, want[kind], `${kind} view #${i}`);
  }
}

for (const backend of BACKENDS) {
  describe(`tenant isolation (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let domainA: Source[];
    before(async () => {
      t = await openTestApp(backend);
      w = await seedWorld(t);
      domainA = [w.domainSource, w.ws1Source, w.ws2Source];
    });
    after(() => t.close());

    it('a DOMAIN_ADMIN sees its whole domain and nothing of another, in every list and stat', async () => {
      await assertSeesExactly(t, w.tokens.da, domainA, [...domainA, w.otherDomainSource]);
      await assertSeesExactly(t, w.tokens.daB, [w.otherDomainSource], [...domainA, w.otherDomainSource]);
    });

    it('another domain gets 404 from every get and write route', async () => {
      for (const s of domainA) {
        for (const get of gets(t, w.tokens.daB, s)) assert.deepEqual(errorOf(await get()).status, 404);
        for (const [path, body] of writes(s)) {
          const answer = await t.post(`/cost-analysis/v1/${path}`, w.tokens.daB, body);
          assert.deepEqual([answer.status, errorOf(answer).code], [404, 'ERROR_NOT_FOUND'], path);
        }
      }
    });

    it('unpublished cost rows (running job) are invisible to everyone', async () => {
      const answer = await t.post('/cost-analysis/v1/cost/get', w.tokens.da, { cost_id: w.ws1Source.hiddenCostId });
      assert.equal(answer.status, 404);
    });

    it('workspace roles see their workspace and "*", consistently in get, list and stat', async () => {
      for (const token of [w.tokens.wo1, w.tokens.wm1]) {
        await assertSeesExactly(t, token, [w.domainSource, w.ws1Source], [...domainA, w.otherDomainSource], [w.ws1Source]);
        for (const get of gets(t, token, w.ws2Source)) assert.equal((await get()).status, 404);
        for (const get of gets(t, token, w.ws1Source)) assert.equal((await get()).status, 200);
        const [costGet, ...others] = gets(t, token, w.domainSource).reverse();
        for (const get of others) assert.equal((await get()).status, 200);
        assert.equal((await costGet()).status, 404, "a DOMAIN source's cost rows belong to no workspace");
      }
      const all = [...domainA, w.otherDomainSource];
      await assertSeesExactly(t, w.tokens.wo2, [w.domainSource, w.ws2Source], all, [w.ws2Source]);
    });

    it('a workspace role cannot widen its scope with workspace_id', async () => {
      const answer = await t.post('/cost-analysis/v1/job/list', w.tokens.wo1, { workspace_id: 'ws-2' });
      assert.deepEqual(ids(answer, 'workspace_id'), new Set(['*', 'ws-1']));
    });

    it('a DOMAIN_ADMIN narrows to one workspace plus "*" with workspace_id', async () => {
      const jobs = await t.post('/cost-analysis/v1/job/list', w.tokens.da, { workspace_id: 'ws-2' });
      assert.deepEqual(ids(jobs, 'workspace_id'), new Set(['*', 'ws-2']));
      const tasks = await t.call('GET', '/cost-analysis/v1/job-tasks?workspace_id=ws-1', { token: w.tokens.da });
      assert.deepEqual(ids(tasks, 'workspace_id'), new Set(['*', 'ws-1']));
    });

    it('a WORKSPACE_MEMBER cannot write, not even in its own workspace', async () => {
      const register = await t.post('/cost-analysis/v1/data-source/register', w.tokens.wm1, {
        name: 'member source',
        plugin_info: { plugin_id: 'synthetic' },
      });
      assert.deepEqual([register.status, errorOf(register).code], [403, 'ERROR_PERMISSION_DENIED']);
      for (const [path, body] of writes(w.ws1Source)) {
        const answer = await t.post(`/cost-analysis/v1/${path}`, w.tokens.wm1, body);
        assert.deepEqual([answer.status, errorOf(answer).code], [403, 'ERROR_PERMISSION_DENIED'], path);
      }
    });

    it('a WORKSPACE_OWNER cannot change domain-level resources (403) nor see other workspaces (404)', async () => {
      for (const [path, body] of writes(w.domainSource)) {
        const answer = await t.post(`/cost-analysis/v1/${path}`, w.tokens.wo1, body);
        assert.deepEqual([answer.status, errorOf(answer).code], [403, 'ERROR_PERMISSION_DENIED'], path);
      }
      // update-permissions is DOMAIN_ADMIN-only: refused by role before any lookup, so it reveals nothing.
      for (const [path, body] of writes(w.ws2Source)) {
        const answer = await t.post(`/cost-analysis/v1/${path}`, w.tokens.wo1, body);
        const want = path === 'data-source/update-permissions' ? [403, 'ERROR_PERMISSION_DENIED'] : [404, 'ERROR_NOT_FOUND'];
        assert.deepEqual([answer.status, errorOf(answer).code], want, path);
      }
      const domainRegister = await t.post('/cost-analysis/v1/data-source/register', w.tokens.wo1, {
        name: 'owner domain source',
        resource_group: 'DOMAIN',
        plugin_info: { plugin_id: 'synthetic' },
      });
      assert.equal(domainRegister.status, 403);
      const otherWorkspace = await t.post('/cost-analysis/v1/data-source/register', w.tokens.wo1, {
        name: 'owner foreign source',
        workspace_id: 'ws-2',
        plugin_info: { plugin_id: 'synthetic' },
      });
      assert.equal(otherWorkspace.status, 403);
    });

    it('a WORKSPACE_OWNER writes its own workspace', async () => {
      const sync = await t.post('/cost-analysis/v1/data-source/sync', w.tokens.wo1, { data_source_id: w.ws1Source.dataSourceId });
      // The fixture already runs a job for this source: permission passed, the engine refused the second job.
      assert.deepEqual([sync.status, errorOf(sync).code], [409, 'ERROR_DUPLICATE_JOB']);
      const cancel = await t.post('/cost-analysis/v1/job/cancel', w.tokens.wo1, { job_id: w.ws1Source.runningJobId });
      assert.deepEqual([cancel.status, cancel.body.status], [200, 'CANCELED']);
      const registered = await t.post('/cost-analysis/v1/data-source/register', w.tokens.wo1, {
        name: 'owner source',
        plugin_info: { plugin_id: 'synthetic' },
      });
      assert.equal(registered.status, 200, registered.text);
      assert.deepEqual([registered.body.resource_group, registered.body.workspace_id], ['WORKSPACE', 'ws-1']);
    });
  });
}
