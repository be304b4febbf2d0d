import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMonths, daysInMonth, monthOf } from '../../src/domain/time.js';
import { BACKENDS } from '../helpers/backends.js';
import { testClock } from '../helpers/engine-fixture.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { DOMAIN_A, SECRET_VALUE } from './world.js';

/** Syncs through the real engine, driven only through the REST API. */
for (const backend of BACKENDS) {
  describe(`sync through the API (${backend})`, () => {
    let t: TestApp;
    let da: string;
    let wo1: string;
    let dataSourceId: string;
    // Last month: complete, and inside the retention window. One account, two rows a day.
    const MONTH = addMonths(monthOf(testClock()), -1);
    const ROWS = daysInMonth(MONTH) * 2;

    before(async () => {
      t = await openTestApp(backend, { env: { COSTSYNC_WORKER_CONCURRENCY: '2' } });
      da = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
      wo1 = await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_OWNER', workspaceId: 'ws-1' });
      const registered = await t.post('/cost-analysis/data-source/register', da, {
        name: 'synthetic ws-1',
        resource_group: 'WORKSPACE',
        workspace_id: 'ws-1',
        plugin_info: {
          plugin_id: 'synthetic',
          options: { accounts: 1, months: 1, rows_per_day: 2 },
          secret_data: { api_key: SECRET_VALUE },
        },
      });
      assert.equal(registered.status, 200, registered.text);
      dataSourceId = registered.body.data_source_id;
    });
    after(() => t.close());

    it('allows one running job per data source, and cancel frees the slot', async () => {
      const first = await t.post('/cost-analysis/v1/data-source/sync', wo1, { data_source_id: dataSourceId, start: MONTH });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.status, 'IN_PROGRESS');
      assert.deepEqual(first.body.options, { no_preload_cache: false, start: MONTH, sync_mode: 'MANUAL' });
      assert.equal(first.body.total_tasks, 1);
      const second = await t.post('/cost-analysis/v1/data-source/sync', da, { data_source_id: dataSourceId });
      assert.deepEqual([second.status, errorOf(second).code], [409, 'ERROR_DUPLICATE_JOB']);
      assert.match(errorOf(second).message, new RegExp(first.body.job_id));
      const canceled = await t.post('/cost-analysis/v1/job/cancel', wo1, { job_id: first.body.job_id });
      assert.equal(canceled.body.status, 'CANCELED');
      const tasks = await t.call('GET', `/cost-analysis/v1/job-tasks?job_id=${first.body.job_id}`, { token: wo1 });
      assert.deepEqual(
        tasks.body.results.map((r: any) => r.status),
        ['CANCELED'],
      );
    });

    it('runs a sync to SUCCESS and publishes its rows only then', async () => {
      const sync = await t.post('/cost-analysis/data-source/sync', wo1, { data_source_id: dataSourceId, start: MONTH });
      assert.equal(sync.status, 200, sync.text);
      const jobId = sync.body.job_id;
      const before = await t.post('/cost-analysis/v1/cost/list', wo1, { data_source_id: dataSourceId, query: { count_only: true } });
      assert.equal(before.body.total_count, 0);

      t.ctx.engine.start();
      await t.ctx.engine.waitForJob(jobId, { timeoutMs: 60_000 });

      const job = await t.post('/cost-analysis/v1/job/get', wo1, { job_id: jobId });
      assert.deepEqual([job.body.status, job.body.remained_tasks, job.body.workspace_id], ['SUCCESS', 0, 'ws-1']);
      assert.ok(job.body.finished_at);
      const task = await t.post('/cost-analysis/v1/job-tasks/search', wo1, { job_id: jobId });
      assert.deepEqual(
        task.body.results.map((r: any) => [r.status, r.created_count]),
        [['SUCCESS', ROWS]],
      );
      const costs = await t.post('/cost-analysis/v1/cost/list', wo1, { data_source_id: dataSourceId, query: { page: { limit: 5 } } });
      assert.equal(costs.body.total_count, ROWS);
      assert.equal(costs.body.results.length, 5);
      assert.ok(costs.body.results.every((r: any) => r.workspace_id === 'ws-1' && r.billed_month === MONTH));
      const months = await t.post('/cost-analysis/v1/cost/stat', wo1, { query: { distinct: 'billed_month' } });
      assert.deepEqual(months.body, { results: [MONTH] });
      const ds = await t.post('/cost-analysis/v1/data-source/get', wo1, { data_source_id: dataSourceId });
      assert.equal(ds.body.last_synchronized_at, job.body.created_at);
      assert.ok(!JSON.stringify([sync.body, job.body, task.body, ds.body]).includes(SECRET_VALUE));
    });

    it('a second sync replaces the first generation instead of adding to it', async () => {
      const sync = await t.post('/cost-analysis/v1/data-source/sync', da, { data_source_id: dataSourceId, start: MONTH });
      await t.ctx.engine.waitForJob(sync.body.job_id, { timeoutMs: 60_000 });
      const costs = await t.post('/cost-analysis/v1/cost/list', da, { data_source_id: dataSourceId, query: { count_only: true } });
      assert.equal(costs.body.total_count, ROWS);
      const jobs = await t.post('/cost-analysis/v1/job/stat', da, {
        query: { aggregate: [{ group: { keys: [{ key: 'status' }], fields: [{ operator: 'count', name: 'n' }] } }] },
      });
      assert.deepEqual(jobs.body.results, [
        { status: 'CANCELED', n: 1 },
        { status: 'SUCCESS', n: 2 },
      ]);
    });

    it('deregister removes the published rows', async () => {
      const gone = await t.post('/cost-analysis/v1/data-source/deregister', wo1, { data_source_id: dataSourceId });
      assert.equal(gone.status, 200);
      const costs = await t.post('/cost-analysis/v1/cost/list', da, { data_source_id: dataSourceId, query: { count_only: true } });
      assert.equal(costs.body.total_count, 0);
    });
  });
}
