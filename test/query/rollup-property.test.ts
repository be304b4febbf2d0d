import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { listConditions } from '../../src/api/services/request-filters.js';
import { runAnalyze, runStat } from '../../src/api/services/reading.js';
import type { Principal } from '../../src/auth/principal.js';
import { parseAnalyzeQuery } from '../../src/query/analyze.js';
import { COST_CATALOGUE, COST_MONTHLY_CATALOGUE } from '../../src/query/catalogues.js';
import { parseStatQuery } from '../../src/query/parse-stat.js';
import { monthlyForm } from '../../src/query/rollup.js';
import type { Database } from '../../src/store/database.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { applyHistory, checkInvariant, DOMAIN, history, MONTHS, POOLS, resetStore, SOURCES } from './rollup-world.js';

/**
 * The monthly rollup (cost_monthly) stays equal to the cost rows through the engine's own task
 * and job outcomes. Over random histories of jobs on one or two data sources — several tasks
 * each, changed windows on rollup columns and on resource / additional_info, task-level windows,
 * retention, jobs that fail or are cancelled after some tasks finished — after every step the
 * rollup sums exactly the rows of finished tasks and published jobs (numeric sums compared as
 * text), and the published rollup exactly the published rows. Random Cost.stat and Cost.analyze
 * queries the rollup may answer (monthlyForm) give identical answers from the rollup and from
 * the rows; queries that need the rows are never sent to the rollup.
 */
const RUNS = Number(process.env.QUERY_PROPERTY_RUNS ?? 60);
const principal: Principal = { domainId: DOMAIN, role: 'DOMAIN_ADMIN' };
/** Request-level filters as Cost.stat and Cost.analyze read them (cost-service.ts). */
const REQUEST_FILTERS = ['data_source_id', 'provider', 'product', 'billed_year', 'billed_month'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const MISS = 'no-such-value';

/** Filterable dimensions and the values a filter on them compares with (hits, null, a miss). */
const VALUES: Record<string, readonly unknown[]> = {
  provider: [...POOLS.provider, MISS],
  product: [...POOLS.product, MISS],
  region_code: POOLS.region_code,
  usage_type: POOLS.usage_type,
  usage_unit: POOLS.usage_unit,
  account_id: POOLS.account_id,
  workspace_id: POOLS.workspace_id,
  project_id: POOLS.project_id,
  billed_month: MONTHS,
  billed_year: ['2024', '2025'],
  data_source_id: [...SOURCES],
  'tags.env': ['prod', 'dev', null],
};
const SUBSTRINGS = ['a', 'EC2', 'zure', '1', 'Storage', 'Hrs', '2025-0'];

const condition = fc.oneof(
  pick(Object.keys(VALUES)).chain((key) =>
    fc.oneof(
      fc.record({ k: fc.constant(key), v: pick(VALUES[key]), o: pick(['eq', 'not']) }),
      fc.record({ k: fc.constant(key), v: fc.subarray([...VALUES[key]], { minLength: 1 }), o: pick(['in', 'not_in']) }),
      fc.record({ k: fc.constant(key), v: pick(SUBSTRINGS), o: pick(['contain', 'not_contain']) }),
      fc.record({ k: fc.constant(key), v: fc.boolean(), o: fc.constant('exists') }),
    ),
  ),
  fc.record({ k: fc.constant('billed_month'), v: pick(MONTHS), o: pick(['gte', 'lt']) }),
  fc.record({ k: fc.constant('tags'), v: pick(POOLS.tags), o: pick(['eq', 'not']) }),
);
const filters = fc.array(condition, { maxLength: 2 });

/** Group keys the rollup keeps. */
const DIMENSIONS = [...Object.keys(VALUES), 'region_key', 'service_account_id', 'tags', 'tags.team'];
const nameOf = (key: string) => key.replaceAll('.', '_');

/** A group field's `conditions` (eq, not and the ordered comparisons only). */
const fieldCondition = pick(['provider', 'product', 'account_id', 'tags.env', 'billed_month']).chain((key) =>
  fc.record({ key: fc.constant(key), value: pick(VALUES[key].filter((v) => v !== null)), operator: pick(['eq', 'not', 'gte', 'lt']) }),
);
const extraField = fc.oneof(
  pick(['min', 'max', 'add_to_set']).chain((operator) => pick(DIMENSIONS).map((key) => ({ key, operator, name: 'm' }))),
  fc.record({
    operator: fc.constant('count'),
    name: fc.constant('m'),
    conditions: fc.array(fieldCondition, { minLength: 1, maxLength: 2 }),
  }),
  fc.constant({ key: 'cost', operator: 'sum', name: 'm', conditions: [{ key: 'tags.env', value: 'prod', operator: 'eq' }] }),
);
const measure = pick(['c', 'n', 'u']);

const aggregate = fc
  .record({ keys: fc.subarray(DIMENSIONS, { maxLength: 3 }), extra: fc.option(extraField, { nil: undefined }) })
  .chain(({ keys, extra }) => {
    const group = {
      keys: keys.map((key) => ({ key, name: nameOf(key) })),
      fields: [
        { key: 'cost', operator: 'sum', name: 'c' },
        { operator: 'count', name: 'n' },
        { key: 'usage_quantity', operator: 'sum', name: 'u' },
        ...(extra ? [extra] : []),
      ],
    };
    const later = fc.oneof(
      fc.constant([]),
      fc.record({ key: measure, desc: fc.boolean() }).map((sort) => [{ sort: [sort] }]),
      fc
        .record({ key: measure, desc: fc.boolean(), limit: fc.integer({ min: 1, max: 4 }) })
        .map(({ limit, ...sort }) => [{ sort: [sort] }, { limit }]),
      fc.constant([{ count: { name: 'groups' } }]),
      fc.constant(
        keys.length > 0
          ? [
              {
                group: {
                  keys: [{ key: nameOf(keys[0]) }],
                  fields: [
                    { key: 'c', operator: 'sum', name: 'total' },
                    { key: 'n', operator: 'max', name: 'most' },
                  ],
                },
              },
            ]
          : [],
      ),
    );
    return later.map((stages) => [{ group }, ...stages]);
  });

const page = fc.option(fc.record({ start: fc.integer({ min: 1, max: 2 }), limit: fc.integer({ min: 1, max: 5 }) }), { nil: undefined });
const withPage = <T extends object>(query: T, p: object | undefined) => (p ? { ...query, page: p } : query);

const statQuery = fc.oneof(
  { weight: 3, arbitrary: fc.record({ aggregate, filter: filters, page }).map(({ page: p, ...q }) => withPage(q, p)) },
  { weight: 1, arbitrary: fc.record({ distinct: pick(DIMENSIONS), filter: filters, page }).map(({ page: p, ...q }) => withPage(q, p)) },
  {
    weight: 1,
    arbitrary: fc.record({ aggregate, filter: fc.constant([]), filter_or: fc.array(condition, { minLength: 1, maxLength: 2 }) }),
  },
);

const range = fc.oneof(
  fc
    .record({ from: fc.nat({ max: MONTHS.length - 1 }), span: fc.nat({ max: MONTHS.length - 1 }) })
    .map(({ from, span }) => ({ granularity: 'MONTHLY', start: MONTHS[from], end: MONTHS[Math.min(from + span, MONTHS.length - 1)] })),
  pick([
    { granularity: 'YEARLY', start: '2025', end: '2025' },
    { granularity: 'YEARLY', start: '2024', end: '2025' },
  ]),
);

const analyzeQuery = fc
  .record({
    range,
    group_by: fc.subarray(['provider', 'product', 'account_id', 'tags.env', 'region_code'], { maxLength: 3 }),
    usage: fc.boolean(),
    rows: fc.boolean(),
    filter: filters,
    sort: fc.option(fc.record({ key: pick(['_total_cost', '_total_rows']), desc: fc.boolean() }), { nil: undefined }),
    limit: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  })
  .map(({ range: r, group_by, usage, rows, filter, sort, limit }) => ({
    ...r,
    group_by,
    fields: {
      cost: { key: 'cost', operator: 'sum' },
      ...(usage ? { usage: { key: 'usage_quantity', operator: 'sum' } } : {}),
      ...(rows || sort?.key === '_total_rows' ? { rows: { operator: 'count' } } : {}),
    },
    filter,
    ...(sort ? { sort: [sort] } : {}),
    ...(limit ? { page: { limit } } : {}),
  }));

/** Now and then: a value, else undefined. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });

/** The request around a query: a data source of the history (or all), now and then a provider or a workspace to narrow to. */
const request = (sources: readonly string[]) =>
  fc.record({
    data_source_id: fc.oneof(pick(sources), fc.constant([...sources])),
    provider: sometimes(fc.oneof(pick(['aws', 'azure']), fc.constant(['aws', 'azure']))),
    workspace_id: sometimes(pick(['ws-1', 'ws-2'])),
  });
const costQuery = (sources: readonly string[]) =>
  fc.oneof(
    fc.record({ kind: fc.constant('stat' as const), query: statQuery, request: sometimes(request(sources)) }),
    fc.record({ kind: fc.constant('analyze' as const), query: analyzeQuery, request: request(sources) }),
  );
/** A history and the queries asked after it. */
const world = history.chain((spec) =>
  fc.tuple(fc.constant(spec), fc.array(costQuery(SOURCES.slice(0, spec.sources.length)), { minLength: 4, maxLength: 8 })),
);
type CostQuery = ReturnType<typeof costQuery> extends fc.Arbitrary<infer Q> ? Q : never;

async function answersAlike(db: Database, { kind, query: raw, request }: CostQuery): Promise<void> {
  const body: Record<string, unknown> = request ?? {};
  const query = kind === 'stat' ? parseStatQuery(raw) : parseAnalyzeQuery(raw);
  const conditions = listConditions(body, REQUEST_FILTERS);
  const monthly = monthlyForm(query, conditions);
  const shown = `${kind} ${JSON.stringify(raw)} request ${JSON.stringify(body)}`;
  assert.ok(monthly, `the rollup should answer ${shown}`);
  const options = { principal, conditions, workspaceId: request?.workspace_id };
  const run = kind === 'stat' ? runStat : runAnalyze;
  const fromRows = await run(db, COST_CATALOGUE, { ...options, query });
  const fromRollup = await run(db, COST_MONTHLY_CATALOGUE, { ...options, query: monthly });
  assert.deepStrictEqual(fromRollup, fromRows, shown);
}

for (const backend of BACKENDS) {
  describe(`the monthly rollup answers as the cost rows (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(() => store.release());

    it('after random histories of jobs, for random Cost.stat and Cost.analyze queries', async () => {
      await fc.assert(
        fc.asyncProperty(world, async ([spec, queries]) => {
          await resetStore(store.db);
          await applyHistory(store.db, spec, () => checkInvariant(store.db));
          await checkInvariant(store.db);
          for (const query of queries) await answersAlike(store.db, query);
        }),
        { numRuns: RUNS },
      );
    });
  });
}

describe('queries only the cost rows can answer', () => {
  const dataSource = listConditions({ data_source_id: 'ds-a' }, REQUEST_FILTERS);
  const group = (fields: unknown[], keys: unknown[] = [{ key: 'provider' }]) => ({ aggregate: [{ group: { keys, fields } }] });
  const total = [{ key: 'cost', operator: 'sum', name: 'c' }];
  const stats: Record<string, unknown> = {
    keyword: { ...group(total), keyword: 'ec2' },
    'group by resource': group(total, [{ key: 'resource' }]),
    'group by billed_date': group(total, [{ key: 'billed_date' }]),
    'group by a date format': group(total, [{ key: 'billed_date', date_format: '%Y-%m' }]),
    'group by additional_info': group(total, [{ key: 'additional_info.x' }]),
    average: group([{ key: 'cost', operator: 'average', name: 'a' }]),
    'min of cost': group([{ key: 'cost', operator: 'min', name: 'm' }]),
    'sum of a dimension': group([{ key: 'product', operator: 'sum', name: 's' }]),
    push: group([{ key: 'product', operator: 'push', name: 'p' }]),
    first: group([{ key: 'account_id', operator: 'first', name: 'f' }]),
    'count on a resource condition': group([
      { operator: 'count', name: 'n', conditions: [{ key: 'resource', value: 'i-1', operator: 'eq' }] },
    ]),
    'filter on cost': { ...group(total), filter: [{ k: 'cost', v: 0, o: 'gt' }] },
    'filter on resource': { ...group(total), filter: [{ k: 'resource', v: 'i-1', o: 'eq' }] },
    'filter_or on additional_info': { ...group(total), filter_or: [{ k: 'additional_info.x', v: '1', o: 'eq' }] },
    'distinct resource': { distinct: 'resource' },
    'distinct cost_id': { distinct: 'cost_id' },
    'sort before the group': { aggregate: [{ sort: [{ key: 'cost' }] }, { group: { keys: [{ key: 'provider' }], fields: total } }] },
  };
  for (const [name, raw] of Object.entries(stats)) {
    it(`Cost.stat: ${name}`, () => assert.equal(monthlyForm(parseStatQuery(raw), dataSource), undefined));
  }

  const analyze = (extra: object) => ({
    granularity: 'MONTHLY',
    start: '2025-01',
    end: '2025-04',
    fields: { cost: { key: 'cost', operator: 'sum' } },
    ...extra,
  });
  const analyses: Record<string, unknown> = {
    DAILY: analyze({ granularity: 'DAILY', start: '2025-01-01', end: '2025-01-31' }),
    average: analyze({ fields: { cost: { key: 'cost', operator: 'average' } } }),
    'group by resource': analyze({ group_by: ['resource'] }),
    'filter on usage_quantity': analyze({ filter: [{ k: 'usage_quantity', v: 1, o: 'gte' }] }),
    keyword: analyze({ keyword: 'ec2' }),
  };
  for (const [name, raw] of Object.entries(analyses)) {
    it(`Cost.analyze: ${name}`, () => assert.equal(monthlyForm(parseAnalyzeQuery(raw), dataSource), undefined));
  }
  it('a request-level filter on resource', () => {
    const conditions = listConditions({ data_source_id: 'ds-a', resource: 'i-1' }, [...REQUEST_FILTERS, 'resource']);
    assert.equal(monthlyForm(parseStatQuery(group(total)), conditions), undefined);
  });
});
