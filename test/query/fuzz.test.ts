import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { BACKENDS } from '../helpers/backends.js';
import { openTestApp, type TestApp } from '../api/harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody } from '../api/world.js';

/**
 * Random request bodies never produce a 5xx: any JSON in `query` (and near-valid queries
 * built from real keys, operators and stage names with values of every shape) is either
 * answered or refused with a 4xx, on every read verb of every resource.
 */
const KEYS = [
  'status',
  'total_tasks',
  'created_at',
  'options.x',
  'changed',
  'changed.start',
  'tags.env',
  'cost',
  'billed_date',
  'name',
  'constructor',
  '__proto__',
  'x',
];
const OPERATORS = [
  'eq',
  'not',
  'lt',
  'gte',
  'exists',
  'contain',
  'not_contain_in',
  'in',
  'match',
  'regex',
  'regex_in',
  'datetime_gt',
  'timediff_lt',
  'toString',
  'bad',
];
const STAGES = ['group', 'count', 'sort', 'project', 'unwind', 'limit', 'skip', 'valueOf'];
const GROUP_OPERATORS = ['count', 'sum', 'average', 'max', 'min', 'first', 'last', 'push', 'add_to_set', 'merge_objects', 'x'];

const value = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('([', '*', 'now/d - 1d', '2025-08-01', '%', '\\', "'; DROP TABLE job; --"),
);
const condition = fc.record(
  { k: fc.oneof(fc.constantFrom(...KEYS), fc.string()), v: value, o: fc.oneof(fc.constantFrom(...OPERATORS), fc.string()) },
  { requiredKeys: [] },
);
const entry = fc.record(
  {
    key: fc.constantFrom(...KEYS),
    name: fc.oneof(fc.constantFrom('n', 'status', ''), fc.string()),
    operator: fc.constantFrom(...GROUP_OPERATORS, 'size', 'sum', 'object_to_array'),
    date_format: fc.constantFrom('%Y-%m', 'day', '%Q'),
    conditions: fc.array(condition, { maxLength: 1 }),
    fields: fc.jsonValue({ maxDepth: 2 }),
  },
  { requiredKeys: [] },
);
const stage = fc.constantFrom(...STAGES).chain((name) =>
  fc
    .oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record(
        {
          keys: fc.array(entry, { maxLength: 2 }),
          fields: fc.array(entry, { maxLength: 3 }),
          path: fc.constantFrom(...KEYS),
          filter: fc.array(condition, { maxLength: 1 }),
          name: fc.string(),
        },
        { requiredKeys: [] },
      ),
      fc.array(fc.record({ key: fc.constantFrom(...KEYS), desc: fc.jsonValue() })),
    )
    .map((body) => ({ [name]: body })),
);
const structured = fc.record(
  {
    filter: fc.array(condition, { maxLength: 3 }),
    filter_or: fc.array(condition, { maxLength: 2 }),
    sort: fc.oneof(fc.array(fc.record({ key: fc.constantFrom(...KEYS), desc: fc.boolean() }), { maxLength: 2 }), fc.jsonValue()),
    page: fc.oneof(fc.record({ start: fc.integer({ min: -2, max: 3 }), limit: fc.integer({ min: -1, max: 3 }) }), fc.jsonValue()),
    only: fc.array(fc.constantFrom(...KEYS), { maxLength: 2 }),
    keyword: fc.oneof(fc.string(), fc.jsonValue()),
    distinct: fc.constantFrom(...KEYS),
    aggregate: fc.array(stage, { maxLength: 4 }),
    granularity: fc.constantFrom('DAILY', 'MONTHLY', 'YEARLY', 'HOURLY', 3),
    start: fc.constantFrom('2025-08-01', '2025-08', '2025', '2024-02-30', 'x'),
    end: fc.constantFrom('2025-08-31', '2025-12', '2026', '1999-01-01'),
    group_by: fc.oneof(fc.array(fc.constantFrom(...KEYS)), fc.jsonValue()),
    fields: fc.oneof(fc.dictionary(fc.string(), entry), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const VERBS = [
  'job/list',
  'job/stat',
  'job-task/list',
  'job-task/stat',
  'data-source/list',
  'data-source/stat',
  'cost/list',
  'cost/stat',
  'cost/analyze',
];

for (const backend of BACKENDS) {
  describe(`fuzzed queries never answer 5xx (${backend})`, () => {
    let t: TestApp;
    let token: string;
    let dataSourceId: string;
    before(async () => {
      t = await openTestApp(backend);
      token = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
      const ds = (await t.post('/cost-analysis/v1/data-source/register', token, registerBody({ name: 'fuzz' }))).body;
      dataSourceId = ds.data_source_id;
      const job = await insertJob(t, ds, 'SUCCESS', '2025-08-01T00:00:00Z');
      await insertCost(t, ds, job, '2025-08-01', 3);
    });
    after(() => t.close());

    it('for random and near-valid bodies on every read verb', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...VERBS), fc.oneof(fc.jsonValue(), structured), fc.boolean(), async (verb, query, withSource) => {
          const body = withSource ? { data_source_id: dataSourceId, query } : { query };
          const answer = await t.post(`/cost-analysis/v1/${verb}`, token, body);
          assert.ok(answer.status < 500, `${verb} ${JSON.stringify(body)} → ${answer.status} ${answer.text}`);
        }),
        { numRuns: Number(process.env.QUERY_FUZZ_RUNS ?? 400) },
      );
    });
  });
}
