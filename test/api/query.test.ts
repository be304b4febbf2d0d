import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rebuildRollups } from '../../src/engine/rollup.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody } from './world.js';

/**
 * The query language through the API: list paging, sorting, filters, keyword, stat distinct
 * and aggregate, and the 400s of bad queries. Jobs (ids in creation order):
 *   alpha: j1 SUCCESS 07-01 (3 tasks, SCHEDULED), j2 FAILURE 07-15 (2), j3 SUCCESS 08-01 (5, SCHEDULED),
 *          j4 CANCELED 08-10 (1), j5 IN_PROGRESS now (4)
 *   beta:  j6 SUCCESS 08-01T12 (3, SCHEDULED), j7 FAILURE 09-01 (1)
 */
for (const backend of BACKENDS) {
  describe(`query language (${backend})`, () => {
    let t: TestApp;
    let da: string;
    let alpha: any;
    let beta: any;
    const j: string[] = [];
    const listJobs = (body: Record<string, unknown>) => t.post('/cost-analysis/v1/job/list', da, body);
    const statJobs = (query: Record<string, unknown>) => t.post('/cost-analysis/v1/job/stat', da, { query });
    const jobIds = (answer: { body: any }) => answer.body.results.map((r: any) => j.indexOf(r.job_id) + 1);

    before(async () => {
      t = await openTestApp(backend);
      da = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
      alpha = (await t.post('/cost-analysis/v1/data-source/register', da, registerBody({ name: 'alpha' }))).body;
      beta = (await t.post('/cost-analysis/v1/data-source/register', da, registerBody({ name: 'beta' }))).body;
      const plan: [any, string, string, number, 'MANUAL' | 'SCHEDULED', string?][] = [
        [alpha, 'SUCCESS', '2025-07-01T00:00:00Z', 3, 'SCHEDULED'],
        [alpha, 'FAILURE', '2025-07-15T00:00:00Z', 2, 'MANUAL', 'ERROR_JOB_TASK'],
        [alpha, 'SUCCESS', '2025-08-01T00:00:00Z', 5, 'SCHEDULED'],
        [alpha, 'CANCELED', '2025-08-10T00:00:00Z', 1, 'MANUAL'],
        [alpha, 'IN_PROGRESS', new Date().toISOString(), 4, 'MANUAL'],
        [beta, 'SUCCESS', '2025-08-01T12:00:00Z', 3, 'SCHEDULED'],
        [beta, 'FAILURE', '2025-09-01T00:00:00Z', 1, 'MANUAL', 'ERROR_GET_JOB_TASKS'],
      ];
      for (const [ds, status, at, totalTasks, syncMode, errorCode] of plan) {
        j.push((await insertJob(t, ds, status, at, { totalTasks, syncMode, errorCode })).jobId);
      }
      const published = {
        jobId: j[0],
        taskId: (await t.db.query<{ job_task_id: string }>('SELECT job_task_id FROM job_task WHERE job_id = $1', [j[0]]))[0].job_task_id,
      };
      await insertCost(t, alpha, published, '2025-07-01', 10);
      await insertCost(t, alpha, published, '2025-07-02', 20);
      await t.db.query(`UPDATE cost SET tags = '{"env": "dev", "team": "web"}' WHERE billed_date = '2025-07-02'`);
      // 1005 published rows for beta, to see the Cost.list page cap.
      const betaJob = { jobId: j[5] };
      await t.db.query(
        `INSERT INTO cost (cost_id, cost, data_source_id, job_id, job_task_id, workspace_id, domain_id, billed_year, billed_month, billed_date)
         SELECT 'cost-' || lpad(to_hex(i), 12, '0'), i, $1, $2, 'job-task-000000000000', '*', $3, '2025', '2025-08', DATE '2025-08-01'
           FROM generate_series(1, 1005) AS i`,
        [beta.data_source_id, betaJob.jobId, DOMAIN_A],
      );
      await rebuildRollups(t.db);
    });
    after(() => t.close());

    describe('list', () => {
      it('orders by -created_at by default and counts before paging', async () => {
        const all = await listJobs({});
        assert.deepEqual(jobIds(all), [5, 7, 4, 6, 3, 2, 1]);
        assert.equal(all.body.total_count, 7);
        const page = await listJobs({ query: { page: { start: 2, limit: 2 } } });
        assert.deepEqual([jobIds(page), page.body.total_count], [[7, 4], 7]);
        const start0 = await listJobs({ query: { page: { start: 0, limit: 1 } } });
        assert.deepEqual(jobIds(start0), [5]);
      });

      it('sorts by a list of keys (or one object), with the id as a stable tiebreaker', async () => {
        const sorted = await listJobs({ query: { sort: [{ key: 'total_tasks', desc: true }, { key: 'created_at' }] } });
        assert.deepEqual(jobIds(sorted), [3, 5, 1, 6, 2, 4, 7]);
        const byJson = await listJobs({ query: { sort: [{ key: 'options.sync_mode', desc: true }, { key: 'created_at' }] } });
        assert.deepEqual(jobIds(byJson), [1, 3, 6, 2, 4, 7, 5]);
        const single = await listJobs({ query: { sort: { key: 'status' }, page: { limit: 3 } } });
        const again = await listJobs({ query: { sort: { key: 'status' }, page: { limit: 3 } } });
        assert.deepEqual(jobIds(single), jobIds(again));
        assert.deepEqual(
          single.body.results.map((r: any) => r.status),
          ['CANCELED', 'FAILURE', 'FAILURE'],
        );
      });

      it('filters with filter and filter_or, in both key spellings, and with request fields', async () => {
        const inList = await listJobs({ query: { filter: [{ k: 'status', v: ['SUCCESS', 'FAILURE'], o: 'in' }] } });
        assert.deepEqual(jobIds(inList), [7, 6, 3, 2, 1]);
        const longForm = await listJobs({
          query: {
            filter: [{ key: 'data_source_id', value: alpha.data_source_id, operator: 'eq' }],
            filter_or: [
              { k: 'status', v: 'CANCELED', o: 'eq' },
              { k: 'total_tasks', v: 5, o: 'gte' },
            ],
          },
        });
        assert.deepEqual(jobIds(longForm), [4, 3]);
        const request = await listJobs({ data_source_id: beta.data_source_id, status: ['FAILURE'] });
        assert.deepEqual(jobIds(request), [7]);
        const statusScalar = await listJobs({ status: 'SUCCESS', data_source_id: alpha.data_source_id });
        assert.deepEqual(jobIds(statusScalar), [3, 1]);
      });

      it('reaches into JSON with dotted keys', async () => {
        const scheduled = await listJobs({ query: { filter: [{ k: 'options.sync_mode', v: 'SCHEDULED', o: 'eq' }] } });
        assert.deepEqual(jobIds(scheduled), [6, 3, 1]);
        const changed = await listJobs({ query: { filter: [{ k: 'changed', v: { start: '2025-08' }, o: 'eq' }], count_only: true } });
        assert.deepEqual(changed.body, { results: [], total_count: 7 });
      });

      it('supports the comparison, existence, substring and time operators', async () => {
        const cases: [unknown, number[]][] = [
          [{ k: 'total_tasks', v: 3, o: 'lt' }, [7, 4, 2]],
          [{ k: 'total_tasks', v: 3, o: 'lte' }, [7, 4, 6, 2, 1]],
          [{ k: 'finished_at', v: false, o: 'exists' }, [5]],
          [{ k: 'error_code', v: true, o: 'exists' }, [7, 2]],
          [{ k: 'error_code', v: 'error_job', o: 'contain' }, [2]],
          [{ k: 'error_code', v: 'ERROR_JOB', o: 'not_contain' }, [5, 7, 4, 6, 3, 1]],
          [{ k: 'error_code', v: 'ERROR_JOB_TASK', o: 'not' }, [5, 7, 4, 6, 3, 1]],
          [{ k: 'status', v: ['SUCCESS', 'IN_PROGRESS'], o: 'not_in' }, [7, 4, 2]],
          [{ k: 'error_code', v: ['get_job', 'nothing'], o: 'contain_in' }, [7]],
          [{ k: 'created_at', v: '2025-08-01T00:00:00Z', o: 'datetime_gte' }, [5, 7, 4, 6, 3]],
          [{ k: 'created_at', v: '2025-08-01', o: 'datetime_lt' }, [2, 1]],
          [{ k: 'created_at', v: 'now/d - 7d', o: 'timediff_gte' }, [5]],
        ];
        for (const [condition, expected] of cases) {
          const answer = await listJobs({ query: { filter: [condition] } });
          assert.equal(answer.status, 200, answer.text);
          assert.deepEqual(jobIds(answer), expected, JSON.stringify(condition));
        }
      });

      it('ANDs the keyword (a part of the id) with the filters', async () => {
        const part = j[2].slice(4, 12);
        assert.deepEqual(jobIds(await listJobs({ query: { keyword: part } })), [3]);
        assert.deepEqual(jobIds(await listJobs({ query: { keyword: `  ${part.toUpperCase()} ` } })), [3]);
        const narrowed = await listJobs({ query: { keyword: part, filter: [{ k: 'status', v: 'FAILURE', o: 'eq' }] } });
        assert.deepEqual(narrowed.body, { results: [], total_count: 0 });
        const orNotWidened = await listJobs({ query: { keyword: part, filter_or: [{ k: 'status', v: 'FAILURE', o: 'eq' }] } });
        assert.deepEqual(orNotWidened.body.total_count, 0);
      });

      it('returns minimal and only projections', async () => {
        const minimal = await listJobs({ query: { minimal: true, page: { limit: 1 } } });
        assert.deepEqual(Object.keys(minimal.body.results[0]).sort(), [
          'data_source_id',
          'job_id',
          'remained_tasks',
          'status',
          'total_tasks',
          'workspace_id',
        ]);
        const only = await listJobs({ query: { only: ['status', 'options.sync_mode'], page: { limit: 1 } } });
        assert.deepEqual(only.body.results, [{ status: 'IN_PROGRESS', options: { sync_mode: 'MANUAL' } }]);
      });

      it('treats values as data, never as SQL', async () => {
        const quoted = await listJobs({ query: { filter: [{ k: 'status', v: "x' OR '1'='1", o: 'eq' }] } });
        assert.deepEqual(quoted.body, { results: [], total_count: 0 });
        const wildcard = await listJobs({ query: { filter: [{ k: 'error_code', v: '%', o: 'contain' }] } });
        assert.equal(wildcard.body.total_count, 0);
        const key = await listJobs({ query: { filter: [{ k: 'status; DROP TABLE job; --', v: 'x', o: 'eq' }] } });
        assert.equal(errorOf(key).code, 'ERROR_INVALID_PARAMETER');
        const sortKey = await listJobs({ query: { sort: [{ key: 'created_at DESC, (SELECT 1)' }] } });
        assert.equal(errorOf(sortKey).code, 'ERROR_INVALID_PARAMETER');
        assert.equal((await listJobs({})).body.total_count, 7);
      });
    });

    describe('Cost.list', () => {
      it('requires data_source_id and reads dotted JSON keys', async () => {
        const missing = await t.post('/cost-analysis/v1/cost/list', da, {});
        assert.deepEqual(errorOf(missing), {
          status: 400,
          code: 'ERROR_REQUIRED_PARAMETER',
          message: 'Required parameter. (key = data_source_id)',
        });
        const dev = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: alpha.data_source_id,
          query: {
            filter: [
              { k: 'tags.env', v: 'dev', o: 'eq' },
              { k: 'additional_info.Account ID', v: '123456789012', o: 'eq' },
            ],
          },
        });
        assert.deepEqual(
          dev.body.results.map((r: any) => [r.billed_date, r.cost, r.tags]),
          [['2025-07-02', 20, { env: 'dev', team: 'web' }]],
        );
        const since = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: alpha.data_source_id,
          query: { filter: [{ k: 'billed_date', v: '2025-07-02', o: 'gte' }] },
        });
        assert.equal(since.body.total_count, 1);
        assert.equal(since.body.results[0].job_id, undefined);
      });

      it('caps pages at 1000 rows', async () => {
        const big = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: beta.data_source_id,
          query: { page: { limit: 5000 } },
        });
        assert.deepEqual([big.body.results.length, big.body.total_count], [1000, 1005]);
        const rest = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: beta.data_source_id,
          query: { page: { start: 1001 } },
        });
        assert.deepEqual([rest.body.results.length, rest.body.total_count], [5, 1005]);
        const past = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: beta.data_source_id,
          query: { page: { start: 2001 } },
        });
        assert.deepEqual(past.body, { results: [], total_count: 1005 }, 'a page past the end still counts');
        const counted = await t.post('/cost-analysis/v1/cost/list', da, {
          data_source_id: beta.data_source_id,
          query: { count_only: true },
        });
        assert.deepEqual(counted.body, { results: [], total_count: 1005 });
      });

      it('answers stat distinct and aggregate over published rows', async () => {
        const envs = await t.post('/cost-analysis/v1/cost/stat', da, { query: { distinct: 'tags.env' } });
        assert.deepEqual(envs.body, { results: ['dev', 'prod'] });
        const counted = await t.post('/cost-analysis/v1/cost/stat', da, {
          data_source_id: alpha.data_source_id,
          query: {
            aggregate: [
              { group: { keys: [{ key: 'billed_month', name: 'month' }], fields: [{ key: 'cost', operator: 'sum', name: 'cost' }] } },
            ],
          },
        });
        assert.deepEqual(counted.body, { results: [{ month: '2025-07', cost: 30 }] });
      });
    });

    describe('stat', () => {
      it('distinct: sorted, and paged with total_count', async () => {
        assert.deepEqual((await statJobs({ distinct: 'status' })).body, {
          results: ['CANCELED', 'FAILURE', 'IN_PROGRESS', 'SUCCESS'],
        });
        assert.deepEqual((await statJobs({ distinct: 'status', page: { start: 1, limit: 2 } })).body, {
          results: ['CANCELED', 'FAILURE'],
          total_count: 4,
        });
        const filtered = await statJobs({ distinct: 'total_tasks', filter: [{ k: 'status', v: 'SUCCESS', o: 'eq' }] });
        assert.deepEqual(filtered.body.results, [3, 5]);
        assert.deepEqual((await statJobs({ distinct: 'options.sync_mode' })).body.results, ['MANUAL', 'SCHEDULED']);
        // A JSON array contributes its elements.
        assert.deepEqual((await statJobs({ distinct: 'changed' })).body.results, [{ start: '2025-08' }]);
      });

      it('groups with count and sum, sorts the groups, pages them (spec §3.6 example)', async () => {
        const answer = await statJobs({
          filter: [{ k: 'data_source_id', v: alpha.data_source_id, o: 'eq' }],
          aggregate: [
            {
              group: {
                keys: [{ key: 'status', name: 'status' }],
                fields: [
                  { operator: 'count', name: 'count' },
                  { key: 'total_tasks', operator: 'sum', name: 'tasks' },
                ],
              },
            },
            { sort: [{ key: 'count', desc: true }] },
          ],
          page: { start: 1, limit: 10 },
        });
        assert.deepEqual(answer.body, {
          results: [
            { status: 'SUCCESS', count: 2, tasks: 8 },
            { status: 'CANCELED', count: 1, tasks: 1 },
            { status: 'FAILURE', count: 1, tasks: 2 },
            { status: 'IN_PROGRESS', count: 1, tasks: 4 },
          ],
          total_count: 4,
        });
      });

      it('groups by date_format and computes average, min, max and conditional counts', async () => {
        const byMonth = await statJobs({
          filter: [{ k: 'created_at', v: '2025-10-01', o: 'datetime_lt' }],
          aggregate: [
            {
              group: {
                keys: [{ key: 'created_at', name: 'month', date_format: '%Y-%m' }],
                fields: [
                  { k: 'total_tasks', o: 'average', n: 'avg' },
                  { key: 'total_tasks', operator: 'max', name: 'max' },
                  { key: 'created_at', operator: 'min', name: 'first' },
                  { operator: 'count', name: 'failed', conditions: [{ key: 'status', value: 'FAILURE', operator: 'eq' }] },
                ],
              },
            },
          ],
        });
        assert.equal(byMonth.status, 200, byMonth.text);
        assert.deepEqual(byMonth.body.results, [
          { month: '2025-07', avg: 2.5, max: 3, first: '2025-07-01T00:00:00.000Z', failed: 1 },
          { month: '2025-08', avg: 3, max: 5, first: '2025-08-01T00:00:00.000Z', failed: 0 },
          { month: '2025-09', avg: 1, max: 1, first: '2025-09-01T00:00:00.000Z', failed: 1 },
        ]);
        const byDay = await statJobs({
          filter: [
            { k: 'created_at', v: '2025-08-01', o: 'datetime_gte' },
            { k: 'created_at', v: '2025-08-02', o: 'datetime_lt' },
          ],
          aggregate: [
            { group: { keys: [{ key: 'created_at', name: 'day', date_format: 'day' }], fields: [{ operator: 'count', name: 'n' }] } },
          ],
        });
        assert.deepEqual(byDay.body.results, [{ day: 1, n: 2 }]);
      });

      it('applies count, limit and skip stages in order', async () => {
        const counted = await statJobs({ aggregate: [{ count: { name: 'jobs' } }] });
        assert.deepEqual(counted.body, { results: [{ jobs: 7 }] });
        const groupsCounted = await statJobs({ aggregate: [{ group: { keys: [{ key: 'status' }] } }, { count: { name: 'statuses' } }] });
        assert.deepEqual(groupsCounted.body.results, [{ statuses: 4 }]);
        const window = await statJobs({
          aggregate: [{ group: { keys: [{ key: 'status', name: 's' }] } }, { sort: { key: 's', desc: true } }, { skip: 1 }, { limit: 2 }],
        });
        assert.deepEqual(window.body.results, [{ s: 'IN_PROGRESS' }, { s: 'FAILURE' }]);
        const regroup = await statJobs({
          aggregate: [
            {
              group: {
                keys: [
                  { key: 'data_source_id', name: 'ds' },
                  { key: 'status', name: 'status' },
                ],
                fields: [{ operator: 'count', name: 'n' }],
              },
            },
            {
              group: {
                keys: [{ key: 'ds', name: 'ds' }],
                fields: [
                  { operator: 'count', name: 'statuses' },
                  { key: 'n', operator: 'sum', name: 'jobs' },
                ],
              },
            },
          ],
        });
        const byName = new Map(regroup.body.results.map((r: any) => [r.ds, [r.statuses, r.jobs]]));
        assert.deepEqual(byName.get(alpha.data_source_id), [4, 5]);
        assert.deepEqual(byName.get(beta.data_source_id), [2, 2]);
      });
    });

    describe('bad queries are 400s with the upstream codes', () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ['unknown operator', { filter: [{ k: 'status', v: 'x', o: 'like' }] }, 'ERROR_DB_QUERY'],
        ['missing operator', { filter: [{ k: 'status', v: 'x' }] }, 'ERROR_DB_QUERY'],
        ['in with a scalar', { filter: [{ k: 'status', v: 'x', o: 'in' }] }, 'ERROR_OPERATOR_LIST_VALUE_TYPE'],
        ['eq with a list', { filter: [{ k: 'status', v: ['x'], o: 'eq' }] }, 'ERROR_OPERATOR_VALUE_TYPE'],
        ['exists with a string', { filter: [{ k: 'status', v: 'yes', o: 'exists' }] }, 'ERROR_OPERATOR_BOOLEAN_TYPE'],
        ['unknown key', { filter: [{ k: 'colour', v: 'x', o: 'eq' }] }, 'ERROR_INVALID_PARAMETER'],
        ['inherited name as key', { filter: [{ k: 'constructor', v: 'x', o: 'eq' }] }, 'ERROR_INVALID_PARAMETER'],
        ['inherited name as operator', { filter: [{ k: 'status', v: 'x', o: 'toString' }] }, 'ERROR_DB_QUERY'],
        ['missing key', { filter: [{ v: 'x', o: 'eq' }] }, 'ERROR_REQUIRED_PARAMETER'],
        ['bad datetime', { filter: [{ k: 'created_at', v: 'yesterday', o: 'datetime_gt' }] }, 'ERROR_DB_QUERY'],
        ['datetime on a number', { filter: [{ k: 'total_tasks', v: '2025-01-01', o: 'datetime_gt' }] }, 'ERROR_DB_QUERY'],
        ['bad timediff', { filter: [{ k: 'created_at', v: 'now - 7 parsecs', o: 'timediff_gt' }] }, 'ERROR_DB_QUERY'],
        ['string for a number', { filter: [{ k: 'total_tasks', v: '3', o: 'eq' }] }, 'ERROR_INVALID_PARAMETER_TYPE'],
        ['invalid regex', { filter: [{ k: 'status', v: '([', o: 'regex' }] }, 'ERROR_DB_QUERY'],
        ['invalid regex_in', { filter: [{ k: 'options.sync_mode', v: ['ok', '*x'], o: 'regex_in' }] }, 'ERROR_DB_QUERY'],
        ['regex on a number', { filter: [{ k: 'total_tasks', v: '1', o: 'regex' }] }, 'ERROR_INVALID_PARAMETER'],
        ['match with a string', { filter: [{ k: 'changed', v: 'x', o: 'match' }] }, 'ERROR_OPERATOR_DICT_VALUE_TYPE'],
        ['match on text', { filter: [{ k: 'status', v: {}, o: 'match' }] }, 'ERROR_INVALID_PARAMETER'],
        [
          'too many conditions',
          { filter: Array.from({ length: 101 }, () => ({ k: 'status', v: 'x', o: 'eq' })) },
          'ERROR_INVALID_PARAMETER',
        ],
        ['filter not a list', { filter: { k: 'status', v: 'x', o: 'eq' } }, 'ERROR_INVALID_PARAMETER_TYPE'],
        ['unknown sort key', { sort: [{ key: 'colour' }] }, 'ERROR_INVALID_PARAMETER'],
        ['negative limit', { page: { limit: -1 } }, 'ERROR_INVALID_PARAMETER'],
        ['string limit', { page: { limit: '10' } }, 'ERROR_INVALID_PARAMETER_TYPE'],
        ['unwind', { unwind: { path: 'changed' } }, 'ERROR_NOT_SUPPORT_QUERY_OPTION'],
        ['unknown option', { colour: 'red' }, 'ERROR_INVALID_PARAMETER'],
        ['unknown only key', { only: ['colour'] }, 'ERROR_INVALID_PARAMETER'],
      ];
      for (const [name, query, code] of cases) {
        it(`list: ${name} → ${code}`, async () => {
          const answer = await listJobs({ query });
          assert.deepEqual([answer.status, errorOf(answer).code], [400, code], answer.text);
        });
      }

      const statCases: [string, Record<string, unknown>, string][] = [
        ['neither aggregate nor distinct', {}, 'ERROR_REQUIRED_PARAMETER'],
        ['unknown stage', { aggregate: [{ explode: {} }] }, 'ERROR_INVALID_PARAMETER'],
        ['two stages in one item', { aggregate: [{ limit: 1, skip: 1 }] }, 'ERROR_INVALID_PARAMETER'],
        ['project without fields', { aggregate: [{ project: { fields: [] } }] }, 'ERROR_REQUIRED_PARAMETER'],
        ['unknown project operator', { aggregate: [{ project: { fields: [{ key: 'changed', operator: 'reverse' }] } }] }, 'ERROR_DB_QUERY'],
        ['unwind of text', { aggregate: [{ unwind: { path: 'status' } }, { count: { name: 'n' } }] }, 'ERROR_INVALID_PARAMETER'],
        ['too many stages', { aggregate: Array.from({ length: 21 }, () => ({ limit: 1 })) }, 'ERROR_INVALID_PARAMETER'],
        [
          'unknown group operator',
          { aggregate: [{ group: { fields: [{ operator: 'median', key: 'total_tasks', name: 'm' }] } }] },
          'ERROR_DB_QUERY',
        ],
        [
          'conditions on push',
          {
            aggregate: [
              { group: { fields: [{ operator: 'push', key: 'job_id', name: 'm', conditions: [{ k: 'status', v: 'x', o: 'eq' }] }] } },
            ],
          },
          'ERROR_INVALID_PARAMETER',
        ],
        ['sum of text', { aggregate: [{ group: { fields: [{ operator: 'sum', key: 'status', name: 's' }] } }] }, 'ERROR_INVALID_PARAMETER'],
        ['field without name', { aggregate: [{ group: { fields: [{ operator: 'count' }] } }] }, 'ERROR_REQUIRED_PARAMETER'],
        [
          'sort by an unknown name',
          { aggregate: [{ group: { keys: [{ key: 'status' }] } }, { sort: [{ key: 'count' }] }] },
          'ERROR_INVALID_PARAMETER',
        ],
        ['date_format on text', { aggregate: [{ group: { keys: [{ key: 'status', date_format: 'year' }] } }] }, 'ERROR_INVALID_PARAMETER'],
        ['bad date_format', { aggregate: [{ group: { keys: [{ key: 'created_at', date_format: '%Q' }] } }] }, 'ERROR_INVALID_PARAMETER'],
        [
          'inherited date_format',
          { aggregate: [{ group: { keys: [{ key: 'created_at', date_format: 'constructor' }] } }] },
          'ERROR_INVALID_PARAMETER',
        ],
        ['no group, count or project', { aggregate: [{ limit: 2 }] }, 'ERROR_NOT_SUPPORT_QUERY_OPTION'],
        ['unknown distinct key', { distinct: 'colour' }, 'ERROR_INVALID_PARAMETER'],
      ];
      for (const [name, query, code] of statCases) {
        it(`stat: ${name} → ${code}`, async () => {
          const answer = await statJobs(query);
          assert.deepEqual([answer.status, errorOf(answer).code], [400, code], answer.text);
        });
      }
    });
  });
}
