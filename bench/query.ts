/**
 * Query benchmark: the compiled query language beside hand-written SQL for the same answer,
 * in the same run, on each backend.
 *
 *   npm run bench:query                        # both backends
 *   npm run bench:query -- --backend=pglite    # one
 *   BENCH_JOBS=10000 BENCH_COSTS=100000 npm run bench:query   # smaller
 *
 * - Job.list: filter (status in, created_at datetime_gte), sort by created_at, page 3 of 50,
 *   total_count — over 100,000 jobs; hand-written: the same two statements written by hand
 *   (costsync reads both in one snapshot, the hand-written side without one).
 * - Cost.stat: group by product with sum(cost) and count, sorted by the sum — over 1,000,000
 *   published cost rows; hand-written: one GROUP BY over `published_cost`.
 * Both sides turn rows into the same wire objects; each figure is the median of the timed runs.
 */
import { runList, runStat } from '../src/api/services/reading.js';
import { jobInfo, jobMinimal } from '../src/api/views.js';
import type { Principal } from '../src/auth/principal.js';
import { COST_CATALOGUE, JOB_CATALOGUE } from '../src/query/catalogues.js';
import { parseListQuery } from '../src/query/parse-query.js';
import { parseStatQuery } from '../src/query/parse-stat.js';
import type { Database } from '../src/store/database.js';
import type { JobRow } from '../src/store/rows.js';
import { COST_SOURCE, DOMAIN, openBenchStore, seed } from './query-seed.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 100_000);
const COSTS = Number(process.env.BENCH_COSTS ?? 1_000_000);
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

interface Case {
  readonly name: string;
  compiled(db: Database): Promise<unknown>;
  hand(db: Database): Promise<unknown>;
}

const CASES: Case[] = [
  {
    name: `Job.list over ${JOBS.toLocaleString('en-US')} jobs`,
    compiled: (db) =>
      runList<JobRow>(db, JOB_CATALOGUE, {
        principal,
        query: parseListQuery(listRequest),
        conditions: [],
        view: jobInfo,
        minimalView: jobMinimal,
      }),
    async hand(db) {
      const where = 'domain_id = $1 AND status = ANY($2::text[]) AND created_at >= $3::timestamptz';
      const params = [DOMAIN, ['SUCCESS', 'FAILURE'], '2025-03-01T00:00:00Z'];
      const [{ total }] = await db.query<{ total: string }>(`SELECT count(*) AS total FROM job WHERE ${where}`, params);
      const rows = await db.query<JobRow>(`SELECT * FROM job WHERE ${where} ORDER BY created_at DESC, job_id LIMIT 50 OFFSET 100`, params);
      return { results: rows.map(jobInfo), total_count: Number(total) };
    },
  },
  {
    name: `Cost.stat group by over ${COSTS.toLocaleString('en-US')} cost rows`,
    compiled: (db) => runStat(db, COST_CATALOGUE, { principal, query: parseStatQuery(statRequest) }),
    async hand(db) {
      const rows = await db.query<{ product: string; cost: number; rows: string }>(
        `SELECT product, sum(cost) AS cost, count(*) AS rows FROM published_cost
          WHERE domain_id = $1 AND data_source_id = $2 GROUP BY product ORDER BY cost DESC, product LIMIT 10000`,
        [DOMAIN, COST_SOURCE],
      );
      return { results: rows.map((r) => ({ product: r.product, cost: Number(r.cost), rows: Number(r.rows) })) };
    },
  },
];

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

async function bench(backend: 'pglite' | 'postgres'): Promise<string[]> {
  const store = await openBenchStore(backend);
  try {
    const seeded = await time(() => seed(store.db, JOBS, COSTS));
    process.stderr.write(`${backend}: seeded in ${(seeded / 1000).toFixed(1)} s\n`);
    const lines: string[] = [];
    for (const c of CASES) {
      const [a, b] = [await c.compiled(store.db), await c.hand(store.db)];
      if (!same(a, b)) throw new Error(`${c.name}: the answers differ`);
      for (let i = 0; i < 2; i++) {
        await c.compiled(store.db);
        await c.hand(store.db);
      }
      const compiled: number[] = [];
      const hand: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate the order so neither side always runs on a warmer cache.
        if (i % 2 === 0) {
          compiled.push(await time(() => c.compiled(store.db)));
          hand.push(await time(() => c.hand(store.db)));
        } else {
          hand.push(await time(() => c.hand(store.db)));
          compiled.push(await time(() => c.compiled(store.db)));
        }
      }
      const [mc, mh] = [median(compiled), median(hand)];
      lines.push(`| ${backend} | ${c.name} | ${mh.toFixed(1)} ms | ${mc.toFixed(1)} ms | ${(mc / mh).toFixed(2)}× |`);
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

const backends = arg('backend') ? [arg('backend') as 'pglite' | 'postgres'] : (['pglite', 'postgres'] as const);
const lines: string[] = [];
for (const backend of backends) lines.push(...(await bench(backend)));
process.stdout.write(['| backend | query | hand-written SQL | costsync | ratio |', '|---|---|---:|---:|---:|', ...lines].join('\n') + '\n');
process.stdout.write(`median of ${RUNS} alternating runs after 2 warm-up runs each; both sides build the same wire answer\n`);
