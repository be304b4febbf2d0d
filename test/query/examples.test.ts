import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rebuildRollups } from '../../src/engine/rollup.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from '../api/harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody } from '../api/world.js';

/**
 * One example per operator and stage added to the query language (match, regex, regex_in,
 * unwind, project, first/last/push/add_to_set/merge_objects, count) and Cost.analyze,
 * through the REST API on both backends. Jobs:
 *   j1 SUCCESS 07-01 (3 tasks) changed [{start 2025-07, account a1}, {start 2025-08}], accounts [a1, a2], tags {env: dev}
 *   j2 FAILURE 07-15 (2) changed [{start 2025-07}], accounts [a2], error ERROR_JOB_TASK, tags {env: prod, team: web}
 *   j3 SUCCESS 08-01 (5) changed [], accounts []
 */
for (const backend of BACKENDS) {
  describe(`query language examples (${backend})`, () => {
    let t: TestApp;
    let da: string;
    let ds: any;
    const j: string[] = [];
    const list = async (filter: unknown[]) => {
      const answer = await t.post('/cost-analysis/v1/job/list', da, { query: { filter, sort: [{ key: 'created_at' }] } });
      assert.equal(answer.status, 200, answer.text);
      return answer.body.results.map((r: any) => j.indexOf(r.job_id) + 1);
    };
    const stat = async (query: Record<string, unknown>) => {
      const answer = await t.post('/cost-analysis/v1/job/stat', da, { query });
      assert.equal(answer.status, 200, answer.text);
      return answer.body;
    };
    const analyze = (query: Record<string, unknown>, dataSourceId = ds.data_source_id) =>
      t.post('/cost-analysis/v1/cost/analyze', da, { data_source_id: dataSourceId, query });

    before(async () => {
      t = await openTestApp(backend);
      da = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
      ds = (await t.post('/cost-analysis/v1/data-source/register', da, registerBody({ name: 'examples' }))).body;
      const plan: [string, string, number, string?][] = [
        ['SUCCESS', '2025-07-01T10:20:30.456Z', 3],
        ['FAILURE', '2025-07-15T00:00:00Z', 2, 'ERROR_JOB_TASK'],
        ['SUCCESS', '2025-08-01T00:00:00Z', 5],
      ];
      for (const [status, at, totalTasks, errorCode] of plan) j.push((await insertJob(t, ds, status, at, { totalTasks, errorCode })).jobId);
      const set = (id: string, changed: unknown, accounts: unknown, tags: unknown) =>
        t.db.query(
          `UPDATE job SET changed = $2, synced_accounts = $3, options = options || jsonb_build_object('tags', $4::jsonb) WHERE job_id = $1`,
          [id, JSON.stringify(changed), JSON.stringify(accounts), JSON.stringify(tags)],
        );
      await set(j[0], [{ start: '2025-07', account: 'a1' }, { start: '2025-08' }], ['a1', 'a2'], { env: 'dev' });
      await set(j[1], [{ start: '2025-07' }], ['a2'], { env: 'prod', team: 'web' });
      await set(j[2], [], [], {});
      const published = { jobId: j[0], taskId: '' };
      for (const [day, cost] of [
        ['2025-07-01', 10],
        ['2025-07-02', 20],
        ['2025-08-05', 5],
        ['2026-01-01', 1],
      ] as const) {
        await insertCost(t, ds, published, day, cost);
      }
      await t.db.query(`UPDATE cost SET provider = 'gcp' WHERE billed_date = '2025-07-02'`);
      await rebuildRollups(t.db);
    });
    after(() => t.close());

    it('match: $elemMatch over a list of objects', async () => {
      assert.deepEqual(await list([{ k: 'changed', v: { start: '2025-07', account: 'a1' }, o: 'match' }]), [1]);
      assert.deepEqual(await list([{ k: 'changed', v: { start: '2025-07' }, o: 'match' }]), [1, 2]);
      assert.deepEqual(await list([{ k: 'changed', v: { start: '2025-08', account: null }, o: 'match' }]), [1]);
      assert.deepEqual(await list([{ k: 'changed', v: {}, o: 'match' }]), [1, 2]);
    });

    it('regex and regex_in: case-insensitive, strings only, bound as parameters', async () => {
      assert.deepEqual(await list([{ k: 'error_code', v: '^error_job', o: 'regex' }]), [2]);
      assert.deepEqual(await list([{ k: 'status', v: ['^FAIL', '^CANC'], o: 'regex_in' }]), [2]);
      assert.deepEqual(await list([{ k: 'synced_accounts', v: '^A2$', o: 'regex' }]), [1, 2]);
      assert.deepEqual(await list([{ k: 'options.tags.env', v: 'd|p', o: 'regex' }]), [1, 2]);
      const bad = await t.post('/cost-analysis/v1/job/list', da, {
        query: {
          filter: [
            { k: 'status', v: 'NONE', o: 'eq' },
            { k: 'status', v: 'a(', o: 'regex' },
          ],
        },
      });
      assert.deepEqual([bad.status, errorOf(bad).code], [400, 'ERROR_DB_QUERY']);
    });

    it('unwind (with a filter) then group by the element', async () => {
      const byStart = await stat({
        aggregate: [
          { unwind: { path: 'changed' } },
          { group: { keys: [{ key: 'changed.start', name: 'start' }], fields: [{ operator: 'count', name: 'n' }] } },
        ],
      });
      assert.deepEqual(byStart.results, [
        { start: '2025-07', n: 2 },
        { start: '2025-08', n: 1 },
      ]);
      const filtered = await stat({
        aggregate: [
          { unwind: { path: 'synced_accounts', filter: [{ k: 'synced_accounts', v: 'a1', o: 'not' }] } },
          { count: { name: 'rows' } },
        ],
      });
      assert.deepEqual(filtered.results, [{ rows: 2 }]);
    });

    it('group operators first, last, push (datetimes to the second), add_to_set, merge_objects', async () => {
      const answer = await stat({
        aggregate: [
          { sort: [{ key: 'created_at', desc: true }] },
          {
            group: {
              fields: [
                { key: 'job_id', operator: 'first', name: 'newest' },
                { key: 'total_tasks', operator: 'last', name: 'oldest_tasks' },
                {
                  operator: 'push',
                  name: 'runs',
                  fields: [
                    { key: 'total_tasks', name: 'tasks' },
                    { key: 'created_at', name: 'at' },
                  ],
                },
                { key: 'status', operator: 'add_to_set', name: 'statuses' },
                { key: 'options.tags', operator: 'merge_objects', name: 'tags' },
              ],
            },
          },
        ],
      });
      assert.deepEqual(answer.results, [
        {
          newest: j[2],
          oldest_tasks: 3,
          runs: [
            { tasks: 5, at: '2025-08-01T00:00:00Z' },
            { tasks: 2, at: '2025-07-15T00:00:00Z' },
            { tasks: 3, at: '2025-07-01T10:20:30Z' },
          ],
          statuses: ['FAILURE', 'SUCCESS'],
          tags: { env: 'dev', team: 'web' },
        },
      ]);
    });

    it('project: copy, size, sum, array_to_object, object_to_array; group keys kept unless exclude_keys', async () => {
      const group = {
        group: {
          keys: [{ key: 'status', name: 'status' }],
          fields: [
            { key: 'total_tasks', operator: 'push', name: 'tasks' },
            { key: 'options.tags', operator: 'merge_objects', name: 'tags' },
          ],
        },
      };
      const answer = await stat({
        aggregate: [
          group,
          {
            project: {
              fields: [
                { key: 'tasks', name: 'n', operator: 'size' },
                { key: 'tasks', name: 'sum', operator: 'sum' },
                { key: 'tags', name: 'pairs', operator: 'object_to_array' },
              ],
            },
          },
        ],
      });
      assert.deepEqual(answer.results, [
        {
          status: 'FAILURE',
          n: 1,
          sum: 2,
          pairs: [
            { k: 'env', v: 'prod' },
            { k: 'team', v: 'web' },
          ],
        },
        { status: 'SUCCESS', n: 2, sum: 8, pairs: [{ k: 'env', v: 'dev' }] },
      ]);
      const excluded = await stat({ aggregate: [group, { project: { fields: [{ key: 'tasks', name: 'list' }], exclude_keys: true } }] });
      // Without a sort stage, push follows the default order (newest first).
      assert.deepEqual(excluded.results, [{ list: [2] }, { list: [5, 3] }]);
      const perJob = await stat({
        aggregate: [
          { sort: [{ key: 'created_at' }] },
          { limit: 1 },
          {
            project: {
              fields: [
                { key: 'changed', name: 'months', operator: 'size' },
                { key: 'created_at', name: 'at' },
              ],
            },
          },
        ],
      });
      assert.deepEqual(perJob.results, [{ months: 2, at: '2025-07-01T10:20:30.456Z' }]);
      const pairs = await stat({
        aggregate: [{ limit: 1 }, { project: { fields: [{ key: 'changed', name: 'o', operator: 'array_to_object' }] } }],
      });
      assert.deepEqual(pairs.results, [{ o: {} }]);
    });

    it('count: {name: n}, also for no rows', async () => {
      assert.deepEqual((await stat({ aggregate: [{ count: { name: 'total' } }] })).results, [{ total: 3 }]);
      assert.deepEqual(
        (await stat({ filter: [{ k: 'status', v: 'TIMEOUT', o: 'eq' }], aggregate: [{ count: { name: 'total' } }] })).results,
        [{ total: 0 }],
      );
    });

    it('Cost.analyze: DAILY / MONTHLY / YEARLY series per group, totals, sort, page and more', async () => {
      const daily = await analyze({
        granularity: 'DAILY',
        start: '2025-07-01',
        end: '2025-07-31',
        group_by: ['provider'],
        fields: { cost: { key: 'cost', operator: 'sum' } },
      });
      assert.deepEqual(daily.body, {
        results: [
          { provider: 'gcp', cost: [{ date: '2025-07-02', value: 20 }], _total_cost: 20 },
          { provider: 'aws', cost: [{ date: '2025-07-01', value: 10 }], _total_cost: 10 },
        ],
        more: false,
      });
      const monthly = await analyze({
        granularity: 'MONTHLY',
        start: '2025-07',
        end: '2025-12',
        fields: { cost: { key: 'cost', operator: 'sum' }, rows: { operator: 'count' } },
      });
      assert.deepEqual(monthly.body.results, [
        {
          cost: [
            { date: '2025-07', value: 30 },
            { date: '2025-08', value: 5 },
          ],
          _total_cost: 35,
          rows: [
            { date: '2025-07', value: 2 },
            { date: '2025-08', value: 1 },
          ],
          _total_rows: 3,
        },
      ]);
      const yearly = await analyze({
        granularity: 'YEARLY',
        start: '2025',
        end: '2026',
        group_by: [{ key: 'provider', name: 'p' }],
        fields: { cost: { key: 'cost', operator: 'sum' } },
        sort: [{ key: 'p' }],
        page: { limit: 1 },
      });
      assert.deepEqual(yearly.body, {
        results: [
          {
            p: 'aws',
            cost: [
              { date: '2025', value: 15 },
              { date: '2026', value: 1 },
            ],
            _total_cost: 16,
          },
        ],
        more: true,
      });
      const filtered = await analyze({
        granularity: 'DAILY',
        start: '2025-07-01',
        end: '2025-07-31',
        fields: { cost: { key: 'cost', operator: 'sum' } },
        filter: [{ k: 'provider', v: 'aws', o: 'eq' }],
      });
      assert.deepEqual(filtered.body.results, [{ cost: [{ date: '2025-07-01', value: 10 }], _total_cost: 10 }]);
    });

    it('Cost.analyze refuses bad requests with the upstream codes', async () => {
      const base = { granularity: 'DAILY', start: '2025-07-01', end: '2025-07-31', fields: { cost: { key: 'cost', operator: 'sum' } } };
      const cases: [Record<string, unknown>, string][] = [
        [{ ...base, end: '2025-06-30' }, 'ERROR_INVALID_DATE_RANGE'],
        [{ ...base, end: '2026-07-31' }, 'ERROR_INVALID_DATE_RANGE'],
        [{ ...base, start: '2025-07' }, 'ERROR_INVALID_PARAMETER_TYPE'],
        [{ ...base, granularity: 'HOURLY' }, 'ERROR_INVALID_PARAMETER'],
        [{ ...base, fields: undefined }, 'ERROR_REQUIRED_PARAMETER'],
        [{ ...base, fields: { cost: { key: 'cost', operator: 'push' } } }, 'ERROR_INVALID_PARAMETER'],
        [{ ...base, group_by: ['colour'] }, 'ERROR_INVALID_PARAMETER'],
        [{ ...base, field_group: ['provider'] }, 'ERROR_NOT_SUPPORT_QUERY_OPTION'],
      ];
      for (const [query, code] of cases) {
        const answer = await analyze(query);
        assert.deepEqual([answer.status, errorOf(answer).code], [400, code], `${JSON.stringify(query)}: ${answer.text}`);
      }
      const missing = await t.post('/cost-analysis/v1/cost/analyze', da, { query: base });
      assert.equal(errorOf(missing).code, 'ERROR_REQUIRED_PARAMETER');
    });
  });
}
