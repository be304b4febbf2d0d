import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildRestApp } from '../../src/api/rest/app.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { DOMAIN_A, seedWorld, type World } from './world.js';

for (const backend of BACKENDS) {
  describe(`routes (${backend})`, () => {
    let t: TestApp;
    let w: World;
    before(async () => {
      t = await openTestApp(backend);
      w = await seedWorld(t);
    });
    after(() => t.close());

    describe('seed document routes, exactly as written', () => {
      it('POST /cost-analysis/v1/job/get returns the JobInfo', async () => {
        const answer = await t.post('/cost-analysis/v1/job/get', w.tokens.da, { job_id: w.ws1Source.doneJobId });
        assert.equal(answer.status, 200);
        assert.deepEqual(answer.body, {
          job_id: w.ws1Source.doneJobId,
          status: 'SUCCESS',
          options: { no_preload_cache: false, start: null, sync_mode: 'MANUAL' },
          total_tasks: 1,
          remained_tasks: 0,
          changed: [{ start: '2025-08' }],
          synced_accounts: [],
          resource_group: 'WORKSPACE',
          domain_id: DOMAIN_A,
          workspace_id: 'ws-1',
          data_source_id: w.ws1Source.dataSourceId,
          created_at: '2025-09-01T10:00:00.000Z',
          updated_at: '2025-09-01T10:00:00.000Z',
          finished_at: '2025-09-01T10:00:00.000Z',
        });
      });

      it('POST /cost-analysis/v1/job/list returns results and total_count', async () => {
        const answer = await t.post('/cost-analysis/v1/job/list', w.tokens.da, { query: {} });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.total_count, 5);
        assert.equal(answer.body.results.length, 5);
      });

      it('POST /cost-analysis/v1/job/stat answers a StatisticsQuery', async () => {
        const answer = await t.post('/cost-analysis/v1/job/stat', w.tokens.da, { query: { distinct: 'status' } });
        assert.deepEqual(answer.body, { results: ['IN_PROGRESS', 'SUCCESS'] });
      });

      it('GET /cost-analysis/v1/job-task/{job_task_id} returns the JobTaskInfo, with changed', async () => {
        const answer = await t.call('GET', `/cost-analysis/v1/job-task/${w.ws1Source.doneTaskId}`, { token: w.tokens.da });
        assert.equal(answer.status, 200);
        assert.equal(answer.body.job_task_id, w.ws1Source.doneTaskId);
        assert.equal(answer.body.status, 'SUCCESS');
        assert.deepEqual(answer.body.options, { month: '2025-08' });
        assert.deepEqual(answer.body.changed, { start: '2025-08' });
        assert.equal(answer.body.created_count, 2);
        assert.equal(answer.body.job_id, w.ws1Source.doneJobId);
        const only = await t.call('GET', `/cost-analysis/v1/job-task/${w.ws1Source.doneTaskId}?only=status&only=job_id`, {
          token: w.tokens.da,
        });
        assert.deepEqual(only.body, { status: 'SUCCESS', job_id: w.ws1Source.doneJobId });
      });

      it('GET /cost-analysis/v1/job-tasks takes its filters from the query string', async () => {
        const all = await t.call('GET', '/cost-analysis/v1/job-tasks', { token: w.tokens.da });
        assert.equal(all.body.total_count, 5);
        const byJob = await t.call('GET', `/cost-analysis/v1/job-tasks?job_id=${w.ws2Source.doneJobId}`, { token: w.tokens.da });
        assert.deepEqual(
          byJob.body.results.map((r: any) => r.job_task_id),
          [w.ws2Source.doneTaskId],
        );
        const paged = await t.call('GET', '/cost-analysis/v1/job-tasks?status=SUCCESS&query.page.limit=2&query.sort.key=created_at', {
          token: w.tokens.da,
        });
        assert.equal(paged.body.total_count, 3);
        assert.equal(paged.body.results.length, 2);
        const bad = await t.call('GET', '/cost-analysis/v1/job-tasks?query.page.limit=ten', { token: w.tokens.da });
        assert.deepEqual([bad.status, errorOf(bad).code], [400, 'ERROR_INVALID_PARAMETER_TYPE']);
      });

      it('POST /cost-analysis/v1/job-tasks/search and /job-tasks/stat', async () => {
        const search = await t.post('/cost-analysis/v1/job-tasks/search', w.tokens.da, { status: 'PENDING' });
        assert.equal(search.status, 200);
        assert.equal(search.body.total_count, 2);
        const stat = await t.post('/cost-analysis/v1/job-tasks/stat', w.tokens.da, { query: { distinct: 'status' } });
        assert.deepEqual(stat.body, { results: ['PENDING', 'SUCCESS'] });
      });

      // Last in this group: it changes the world (a job and its task end CANCELED).
      it('POST /cost-analysis/v1/job/cancel cancels a running job', async () => {
        const answer = await t.post('/cost-analysis/v1/job/cancel', w.tokens.da, { job_id: w.domainSource.runningJobId });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.body.status, 'CANCELED');
        assert.ok(answer.body.finished_at);
        const again = await t.post('/cost-analysis/v1/job/cancel', w.tokens.da, { job_id: w.domainSource.runningJobId });
        assert.deepEqual([again.status, errorOf(again).code], [400, 'ERROR_JOB_STATE']);
      });
    });

    it('serves every resource and verb under /cost-analysis/v1/… and /cost-analysis/…', async () => {
      const ds = w.ws2Source.dataSourceId;
      const reads: [string, Record<string, unknown>][] = [
        ['job/get', { job_id: w.ws2Source.doneJobId }],
        ['job/list', {}],
        ['job/stat', { query: { distinct: 'job_id' } }],
        ['job-task/get', { job_task_id: w.ws2Source.doneTaskId }],
        ['job-task/list', {}],
        ['job-task/stat', { query: { distinct: 'job_task_id' } }],
        ['data-source/get', { data_source_id: ds }],
        ['data-source/list', {}],
        ['data-source/stat', { query: { distinct: 'name' } }],
        ['data-source/verify-plugin', { data_source_id: ds }],
        ['data-source/update', { data_source_id: ds, tags: { team: 'web' } }],
        ['data-source/update-plugin', { data_source_id: ds, options: { rows_per_day: 3 } }],
        ['data-source/update-secret-data', { data_source_id: ds, secret_data: { api_key: 'rotated' } }],
        ['data-source/update-permissions', { data_source_id: ds, permissions: { deny: [] } }],
        ['cost/get', { cost_id: w.ws2Source.costIds[0] }],
        ['cost/list', { data_source_id: ds }],
        ['cost/stat', { query: { distinct: 'billed_date' } }],
      ];
      for (const prefix of ['/cost-analysis/v1', '/cost-analysis']) {
        for (const [path, body] of reads) {
          const answer = await t.post(`${prefix}/${path}`, w.tokens.da, body);
          assert.equal(answer.status, 200, `${prefix}/${path}: ${answer.text}`);
        }
        for (const path of ['cost/create', 'cost/delete']) {
          const answer = await t.post(`${prefix}/${path}`, w.tokens.da, {});
          assert.deepEqual([answer.status, errorOf(answer).code], [400, 'ERROR_NOT_SUPPORT_API'], path);
        }
      }
    });

    it('serves register, sync and deregister in both path forms', async () => {
      for (const prefix of ['/cost-analysis/v1', '/cost-analysis']) {
        const created = await t.post(`${prefix}/data-source/register`, w.tokens.da, {
          name: `routes ${prefix}`,
          plugin_info: { plugin_id: 'synthetic', options: { accounts: 1, months: 1 } },
          schedule: { state: 'DISABLED', hour: 0 },
        });
        assert.equal(created.status, 200, created.text);
        const id = created.body.data_source_id;
        const sync = await t.post(`${prefix}/data-source/sync`, w.tokens.da, { data_source_id: id });
        assert.deepEqual([sync.status, errorOf(sync).code], [400, 'ERROR_DATA_SOURCE_STATE']);
        const gone = await t.post(`${prefix}/data-source/deregister`, w.tokens.da, { data_source_id: id });
        assert.deepEqual([gone.status, gone.body], [200, {}]);
        const get = await t.post(`${prefix}/data-source/get`, w.tokens.da, { data_source_id: id });
        assert.equal(get.status, 404);
      }
    });

    describe('errors at the edge', () => {
      it('maps an unknown route to 404 ERROR_NOT_FOUND', async () => {
        const answer = await t.post('/cost-analysis/v1/job/explode', w.tokens.da, {});
        assert.deepEqual([answer.status, errorOf(answer).code], [404, 'ERROR_NOT_FOUND']);
        assert.equal((await t.call('GET', '/nowhere')).status, 404);
      });

      it('maps bad JSON, a non-object body and a wrong content type to 400', async () => {
        const headers = { authorization: `Bearer ${w.tokens.da}`, 'content-type': 'application/json' };
        const badJson = await t.app.inject({ method: 'POST', url: '/cost-analysis/v1/job/list', headers, payload: '{"query":' });
        assert.equal(badJson.statusCode, 400);
        assert.equal(badJson.json().detail.code, 'ERROR_INVALID_PARAMETER');
        const array = await t.app.inject({ method: 'POST', url: '/cost-analysis/v1/job/list', headers, payload: '[1, 2]' });
        assert.deepEqual([array.statusCode, array.json().detail.code], [400, 'ERROR_INVALID_PARAMETER_TYPE']);
        const xml = await t.app.inject({
          method: 'POST',
          url: '/cost-analysis/v1/job/list',
          headers: { ...headers, 'content-type': 'application/xml' },
          payload: '<query/>',
        });
        assert.deepEqual([xml.statusCode, xml.json().detail.code], [400, 'ERROR_INVALID_PARAMETER']);
      });

      it('maps a too large body to 413 ERROR_REQUEST_TOO_LARGE', async () => {
        const answer = await t.post('/cost-analysis/v1/job/list', w.tokens.da, { query: { keyword: 'x'.repeat(2 * 1024 * 1024) } });
        assert.deepEqual([answer.status, errorOf(answer).code], [413, 'ERROR_REQUEST_TOO_LARGE']);
      });

      it('answers an unexpected failure with 500 ERROR_UNKNOWN and no internals', async () => {
        const broken = { ...t.db, query: async () => Promise.reject(new Error('connection to 10.0.0.7 refused; password=hunter2')) };
        const app = buildRestApp({ ...t.ctx, db: broken });
        try {
          const listed = await app.inject({
            method: 'POST',
            url: '/cost-analysis/v1/job/list',
            headers: { authorization: `Bearer ${w.tokens.da}` },
            payload: {},
          });
          assert.equal(listed.statusCode, 500);
          assert.equal(listed.json().detail.code, 'ERROR_UNKNOWN');
          assert.match(listed.json().detail.message, /^Internal error\. \(request_id = /);
          assert.ok(!listed.body.includes('hunter2') && !listed.body.includes('10.0.0.7'));
          const ready = await app.inject({ method: 'GET', url: '/readyz' });
          assert.deepEqual([ready.statusCode, ready.json().detail.code], [503, 'ERROR_UNAVAILABLE']);
        } finally {
          await app.close();
        }
      });

      it('refuses NUL characters anywhere in a request with 400', async () => {
        const register = await t.post('/cost-analysis/v1/data-source/register', w.tokens.da, {
          name: 'bad\u0000name',
          plugin_info: { plugin_id: 'synthetic' },
        });
        assert.deepEqual([register.status, errorOf(register).code], [400, 'ERROR_INVALID_PARAMETER']);
        assert.match(errorOf(register).message, /key = body\.name/);
        const filter = await t.post('/cost-analysis/v1/job/list', w.tokens.da, {
          query: { filter: [{ k: 'status', v: 'a\u0000', o: 'eq' }] },
        });
        assert.equal(filter.status, 400);
        const path = await t.call('GET', '/cost-analysis/v1/job-task/job-task-%00', { token: w.tokens.da });
        assert.equal(path.status, 400);
      });

      it('names a missing or mistyped parameter', async () => {
        const missing = await t.post('/cost-analysis/v1/job/get', w.tokens.da, {});
        assert.deepEqual(errorOf(missing), {
          status: 400,
          code: 'ERROR_REQUIRED_PARAMETER',
          message: 'Required parameter. (key = job_id)',
        });
        const typed = await t.post('/cost-analysis/v1/job/get', w.tokens.da, { job_id: 7 });
        assert.deepEqual(errorOf(typed), {
          status: 400,
          code: 'ERROR_INVALID_PARAMETER_TYPE',
          message: 'Parameter type is invalid. (key = job_id, type = string)',
        });
      });
    });
  });
}
