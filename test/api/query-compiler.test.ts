import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isCostsyncError } from '../../src/domain/errors.js';
import { COST_CATALOGUE, JOB_CATALOGUE } from '../../src/query/catalogues.js';
import { compileList } from '../../src/query/list.js';
import { parseListQuery } from '../../src/query/parse-query.js';
import { parseStatQuery } from '../../src/query/parse-stat.js';
import { compileStat } from '../../src/query/stat.js';
import { raw } from '../../src/query/sql.js';

/** The compiler as pure functions: exact SQL for examples, and properties over arbitrary input. */
const context = { scope: raw("domain_id = 'd'"), conditions: [] };
const list = (query: unknown) => compileList(JOB_CATALOGUE, parseListQuery(query), context);
const stat = (query: unknown) => compileStat(JOB_CATALOGUE, parseStatQuery(query), context);

describe('query compiler', () => {
  it('compiles a list to parameterised SQL', () => {
    const plan = list({
      filter: [
        { k: 'status', v: ['SUCCESS', 'FAILURE'], o: 'in' },
        { k: 'options.start', v: '2025-08', o: 'eq' },
      ],
      sort: [{ key: 'created_at', desc: true }],
      page: { start: 3, limit: 2 },
    });
    assert.equal(
      plan.rows?.sql,
      "SELECT * FROM job WHERE (domain_id = 'd') AND (status = ANY($1::text[])) AND (((options #> $2::text[]) = $3::jsonb OR " +
        "EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof((options #> $4::text[])) = 'array' THEN (options #> $5::text[]) " +
        "ELSE '[]'::jsonb END) AS element(v) WHERE element.v = $6::jsonb))) ORDER BY created_at DESC, job_id ASC LIMIT $7 OFFSET $8",
    );
    assert.deepEqual(plan.rows?.params, [['SUCCESS', 'FAILURE'], ['start'], '"2025-08"', ['start'], ['start'], '"2025-08"', 2, 2]);
  });

  it('compiles a group stage with generated aliases and ordinal grouping', () => {
    const plan = stat({
      aggregate: [{ group: { keys: [{ key: 'status', name: 'state' }], fields: [{ key: 'total_tasks', operator: 'sum', name: 'n' }] } }],
      page: { limit: 5 },
    });
    assert.equal(
      plan.rows.sql,
      'SELECT * FROM (SELECT status AS k0, COALESCE(sum((total_tasks)::text::numeric), 0)::double precision AS f0 FROM ' +
        "(SELECT * FROM (SELECT * FROM job WHERE (domain_id = 'd')) AS s0) AS s1 GROUP BY 1) AS result " +
        'ORDER BY k0 ASC NULLS FIRST LIMIT $1 OFFSET $2',
    );
    assert.deepEqual(plan.rows.params, [5, 0]);
    assert.ok(plan.total);
  });

  it('never puts a filter value, JSON path, or result name into SQL text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (value, segment, name) => {
        fc.pre(!segment.includes('.'));
        const shape = (v: string, s: string, n: string) =>
          compileStat(
            COST_CATALOGUE,
            parseStatQuery({
              filter: [
                { k: 'product', v, o: 'contain' },
                { k: `tags.${s}`, v, o: 'eq' },
              ],
              aggregate: [
                { group: { keys: [{ key: `additional_info.${s}`, name: n }], fields: [{ operator: 'count', name: `${n}!` }] } },
                { sort: [{ key: n }] },
              ],
            }),
            context,
          ).rows;
        const compiled = shape(value, segment, name);
        assert.equal(compiled.sql, shape('x', 'y', 'z').sql);
        assert.ok(compiled.params.some((p) => Array.isArray(p) && p.includes(segment)));
      }),
    );
  });

  it('binds regex patterns, match objects, unwind paths and pushed names as parameters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (pattern, key, name) => {
        fc.pre(!key.includes('.') && !name.includes('.'));
        const shape = (p: string, k: string, n: string) => {
          const plan = compileStat(
            COST_CATALOGUE,
            parseStatQuery({
              filter: [
                { k: 'product', v: p, o: 'regex' },
                { k: `tags.${k}`, v: [p], o: 'regex_in' },
                { k: 'data', v: { [k]: p }, o: 'match' },
              ],
              aggregate: [
                { unwind: { path: `data.${k}`, filter: [{ k: `data.${k}.x`, v: p, o: 'eq' }] } },
                {
                  group: {
                    keys: [{ key: `data.${k}`, name: n }],
                    fields: [{ operator: 'push', name: `${n}!`, fields: [{ key: 'cost', name: n }] }],
                  },
                },
                { project: { fields: [{ key: `${n}!`, name: n, operator: 'size' }] } },
              ],
            }),
            context,
          );
          return { sql: plan.rows.sql, patterns: plan.patterns };
        };
        const compiled = shape(pattern, key, name);
        assert.equal(compiled.sql, shape('x', 'y', 'z').sql);
        assert.deepEqual(compiled.patterns, [pattern, pattern]);
      }),
      { numRuns: 200 },
    );
  });

  it('answers arbitrary input with a 4xx error or a plan, never anything else', () => {
    const attempt = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        assert.ok(isCostsyncError(error), String(error));
        assert.ok(error.httpStatus >= 400 && error.httpStatus < 500, error.message);
      }
    };
    const keys = ['status', 'total_tasks', 'created_at', 'options.x', 'changed', 'nope', 'constructor', '__proto__', 'toString.x'];
    const operators = ['eq', 'in', 'lt', 'exists', 'contain_in', 'datetime_gt', 'timediff_lt', 'not_in', 'hasOwnProperty'];
    const condition = fc.record(
      {
        k: fc.oneof(fc.constantFrom(...keys), fc.string()),
        v: fc.jsonValue(),
        o: fc.oneof(fc.constantFrom(...operators), fc.string()),
      },
      { requiredKeys: [] },
    );
    const query = fc.record(
      {
        filter: fc.oneof(fc.array(condition, { maxLength: 3 }), fc.jsonValue()),
        filter_or: fc.array(condition, { maxLength: 2 }),
        sort: fc.oneof(fc.array(fc.record({ key: fc.constantFrom('status', 'x', 'tags.a'), desc: fc.jsonValue() })), fc.jsonValue()),
        page: fc.oneof(fc.record({ start: fc.integer({ min: -2, max: 5 }), limit: fc.integer({ min: -1, max: 5 }) }), fc.jsonValue()),
        keyword: fc.jsonValue(),
        only: fc.jsonValue(),
        distinct: fc.constantFrom('status', 'options.start', 'x', 'constructor'),
        aggregate: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(query, (q) => {
        const { distinct, aggregate, ...listQuery } = q;
        attempt(() => list(listQuery));
        attempt(() => stat({ filter: q.filter, distinct, aggregate, page: q.page }));
      }),
      { numRuns: 500 },
    );
  });
});
