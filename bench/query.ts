/**
 * Query benchmark, on each backend, every case beside its baseline in the same run:
 *
 *   npm run bench:query                        # both backends
 *   npm run bench:query -- --backend=postgres  # one
 *   BENCH_JOBS=10000 BENCH_COSTS=100000 npm run bench:query   # smaller
 *
 * - Job.list: filter (status in, created_at datetime_gte), sort by created_at, page 3 of 50,
 *   total_count — over 100,000 jobs; baseline: the same two statements written by hand
 *   (costsync reads both in one snapshot, the hand-written side without one).
 * - Cost.stat over the rows: group by product with sum(cost) and count, sorted by the sum, the
 *   compiled query made to read the cost rows; baseline: one hand-written GROUP BY over
 *   `published_cost` with the same exact sums.
 * - Cost.stat and Cost.analyze (MONTHLY, a year, group by provider) as the service answers
 *   them, from the monthly rollup; baseline: the same compiled query over the cost rows.
 * Cost rows: 10,000,000 on PostgreSQL, 1,000,000 on PGlite (BENCH_COSTS sets both). Both sides
 * build the same wire answer (checked before timing); each figure is the median of the timed runs.
 */
import { runAnalyze, runList, runStat } from '../src/api/services/reading.js';
import { jobInfo, jobMinimal } from '../src/api/views.js';
import type { Principal } from '../src/auth/principal.js';
import { parseAnalyzeQuery } from '../src/query/analyze.js';
import { COST_CATALOGUE, JOB_CATALOGUE } from '../src/query/catalogues.js';
import type { Condition } from '../src/query/filter.js';
import { parseListQuery } from '../src/query/parse-query.js';
import { parseStatQuery, type StatQuery } from '../src/query/parse-stat.js';
import { costSource } from '../src/query/rollup.js';
import type { Database } from '../src/store/database.js';
import type { JobRow } from '../src/store/rows.js';
import { COST_SOURCE, DOMAIN, openBenchStore, seed } from './query-seed.js';

type Backend = 'pglite' | 'postgres';
const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const costsOn = (backend: Backend) => Number(process.env.BENCH_COSTS ?? (backend === 'postgres' ? 10_000_000 : 1_000_000));
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const principal: Principal = { domainId: DOMAIN, role: 'DOMAIN_ADMIN' };

const listRequest = {
  filter: [
    { k: 'status', v: ['SUCCESS', 'FAILURE'], o: 'in' },
    { k: 'created_at', v: '2025-03-01T00:00:00Z', o: 'datetime_gte' },
  ],
  sort: [{ key: 'created_at', desc: true }],
  page: { start: 101, limit: 50 },
};
const statRequest = {
  filter: [{ k: 'data_source_id', v: COST_SOURCE, o: 'eq' }],
  aggregate: [
    {
      group: {
        keys: [{ key: 'product', name: 'product' }],
        fields: [
          { key: 'cost', operator: 'sum', name: 'cost' },
          { operator: 'count', name: 'rows' },
        ],
      },
    },
    { sort: [{ key: 'cost', desc: true }] },
  ],
};
const analyzeRequest = {
  granularity: 'MONTHLY',
  start: '2025-01',
  end: '2025-12',
  group_by: ['provider'],
  fields: { cost: { key: 'cost', operator: 'sum' } },
};
/** Cost.analyze's request-level data_source_id, as the service turns it into a condition. */
const analyzeConditions: Condition[] = [{ key: 'data_source_id', value: COST_SOURCE, operator: 'eq', where: 'data_source_id' }];

/** As the cost service runs a stat or analyze query: from the rollup when it can. */
function served(query: StatQuery, conditions: readonly Condition[]) {
  const source = costSource(query, conditions);
  if (source.catalogue === COST_CATALOGUE) throw new Error('the benchmark query was meant to be answered from the rollup');
  return source;
}

interface Case {
  readonly name: string;
  readonly baseline: string;
  compiled(db: Database): Promise<unknown>;
  base(db: Database): Promise<unknown>;
}

const cases = (costs: number): Case[] => {
  const rows = `${costs.toLocaleString('en-US')} cost rows`;
  const stat = parseStatQuery(statRequest);
  const analyze = parseAnalyzeQuery(analyzeRequest);
  return [
    {
      name: `Job.list over ${JOBS.toLocaleString('en-US')} jobs`,
      baseline: 'hand-written SQL',
      compiled: (db) =>
        runList<JobRow>(db, JOB_CATALOGUE, {
          principal,
          query: parseListQuery(listRequest),
          conditions: [],
          view: jobInfo,
          minimalView: jobMinimal,
        }),
      async base(db) {
        const where = 'domain_id = $1 AND status = ANY($2::text[]) AND created_at >= $3::timestamptz';
        const params = [DOMAIN, ['SUCCESS', 'FAILURE'], '2025-03-01T00:00:00Z'];
        const [{ total }] = await db.query<{ total: string }>(`SELECT count(*) AS total FROM job WHERE ${where}`, params);
        const rows = await db.query<JobRow>(
          `SELECT * FROM job WHERE ${where} ORDER BY created_at DESC, job_id LIMIT 50 OFFSET 100`,
          params,
        );
        return { results: rows.map(jobInfo), total_count: Number(total) };
      },
    },
    {
      name: `Cost.stat group by, over ${rows}`,
      baseline: 'hand-written SQL',
      compiled: (db) => runStat(db, COST_CATALOGUE, { principal, query: stat }),
      async base(db) {
        const result = await db.query<{ product: string; cost: number; rows: string }>(
          `SELECT product, sum(cost::text::numeric)::float8 AS cost, count(*) AS rows FROM published_cost
            WHERE domain_id = $1 AND data_source_id = $2 GROUP BY product ORDER BY cost DESC, product LIMIT 10000`,
          [DOMAIN, COST_SOURCE],
        );
        return { results: result.map((r) => ({ product: r.product, cost: Number(r.cost), rows: Number(r.rows) })) };
      },
    },
    {
      name: `Cost.stat group by, from the rollup of ${rows}`,
      baseline: 'compiled over the rows',
      compiled: (db) => runStat(db, served(stat, []).catalogue, { principal, query: served(stat, []).query }),
      base: (db) => runStat(db, COST_CATALOGUE, { principal, query: stat }),
    },
    {
      name: `Cost.analyze MONTHLY by provider, from the rollup of ${rows}`,
      baseline: 'compiled over the rows',
      compiled: (db) => {
        const source = served(analyze, analyzeConditions);
        return runAnalyze(db, source.catalogue, { principal, query: source.query, conditions: analyzeConditions });
      },
      base: (db) => runAnalyze(db, COST_CATALOGUE, { principal, query: analyze, conditions: analyzeConditions }),
    },
  ];
};

/** Equal answers; sums of floats may differ in the last digits (parallel aggregation adds in any order). */
function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return a === b;
  const [ka, kb] = [Object.keys(a), Object.keys(b)];
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bench(backend: Backend): Promise<string[]> {
  const store = await openBenchStore(backend);
  try {
    const costs = costsOn(backend);
    const seeded = await time(() => seed(store.db, JOBS, costs));
    process.stderr.write(`${backend}: seeded in ${(seeded / 1000).toFixed(1)} s\n`);
    const lines: string[] = [];
    const [{ n: rollupRows }] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cost_monthly');
    process.stderr.write(`${backend}: ${costs.toLocaleString('en-US')} cost rows, ${rollupRows.toLocaleString('en-US')} rollup rows\n`);
    for (const c of cases(costs)) {
      const [a, b] = [await c.compiled(store.db), await c.base(store.db)];
      if (!same(a, b)) throw new Error(`${c.name}: the answers differ`);
      for (let i = 0; i < 2; i++) {
        await c.compiled(store.db);
        await c.base(store.db);
      }
      const compiled: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2 === 0) {
          compiled.push(await time(() => c.compiled(store.db)));
          base.push(await time(() => c.base(store.db)));
        } else {
          base.push(await time(() => c.base(store.db)));
          compiled.push(await time(() => c.compiled(store.db)));
        }
      }
      const [mc, mb] = [median(compiled), median(base)];
      lines.push(`| ${backend} | ${c.name} | ${c.baseline} | ${mb.toFixed(1)} ms | ${mc.toFixed(1)} ms | ${(mc / mb).toFixed(3)}× |`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    }
    return lines;
  } finally {
    await store.release();
  }
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

const backends = arg('backend') ? [arg('backend') as Backend] : (['pglite', 'postgres'] as const);
const lines: string[] = [];
for (const backend of backends) lines.push(...(await bench(backend)));
process.stdout.write(
  ['| backend | query | baseline | baseline | costsync | ratio |', '|---|---|---|---:|---:|---:|', ...lines].join('\n') + '\n',
);
process.stdout.write(`median of ${RUNS} alternating runs after 2 warm-up runs each; both sides build the same wire answer\n`);
