/**
 * A year of history: hourly syncs of 10 data sources for 365 days (87,600 jobs, two tasks each),
 * compressed in time, on each backend — once with the default job-history retention (90 days)
 * and, as the baseline in the same run, once keeping everything. Each simulated day's jobs are
 * written as the engine leaves them (finished, the day's times), then the engine's own
 * housekeeping runs as on that day (engine/history.ts: prune, and on PGlite the vacuum; on the
 * server a VACUUM stands for the day's autovacuum, which cannot keep pace with compressed time).
 * Every 30 days: Job.list (the dashboard's first page of 50 with total_count), the metrics
 * scrape's reads, and the size of the job and job_task tables with their indexes.
 *
 *   npm run bench:history                        # both backends
 *   npm run bench:history -- --backend=postgres
 *   BENCH_DAYS=120 npm run bench:history         # shorter
 */
import { runList } from '../src/api/services/reading.js';
import { jobInfo, jobMinimal } from '../src/api/views.js';
import type { Principal } from '../src/auth/principal.js';
import { pruneHistory, vacuumIfEmbedded } from '../src/engine/history.js';
import { readSnapshot } from '../src/metrics/snapshot.js';
import { JOB_CATALOGUE } from '../src/query/catalogues.js';
import { parseListQuery } from '../src/query/parse-query.js';
import type { Database } from '../src/store/database.js';
import type { JobRow } from '../src/store/rows.js';
import { openBenchStore } from './query-seed.js';

type Backend = 'pglite' | 'postgres';
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
const SOURCES = 10;
const RUNS = 7;
const DOMAIN = 'domain-history0000';
const START = Date.parse('2025-01-01T00:00:00Z');
const DAY_MS = 86_400_000;
const principal: Principal = { domainId: DOMAIN, role: 'DOMAIN_ADMIN' };

const ADD_DATA_SOURCES = `
  INSERT INTO data_source (data_source_id, name, data_source_type, resource_group, workspace_id, domain_id)
  SELECT 'ds-history-' || s, 'source ' || s, 'EXTERNAL', 'DOMAIN', '*', $1 FROM generate_series(1, $2::int) AS s`;

/** One day of hourly syncs: one job per source and hour (every 50th fails), two tasks each. */
const ADD_DAY = `
  WITH jobs AS (
    INSERT INTO job (job_id, status, options, total_tasks, remained_tasks, changed, planned, deadline_at, resource_group,
                     workspace_id, domain_id, data_source_id, created_at, updated_at, finished_at)
    SELECT 'job-' || lpad(to_hex($2::int * 1000 + h * 10 + s), 12, '0'),
           CASE WHEN (h * 10 + s) % 50 = 0 THEN 'FAILURE' ELSE 'SUCCESS' END, '{"sync_mode": "SCHEDULED"}', 2, 0,
           '[{"start": "2025-01"}]', true, t + interval '2 hours', 'DOMAIN', '*', $1, 'ds-history-' || s,
           t, t + interval '90 seconds', t + interval '90 seconds'
      FROM generate_series(0, 23) AS h, generate_series(1, $3::int) AS s,
           LATERAL (SELECT $4::timestamptz + h * interval '1 hour' AS t) AS at
    RETURNING job_id, data_source_id, created_at
  )
  INSERT INTO job_task (job_task_id, status, options, created_count, seq, attempt, resource_group, workspace_id, domain_id,
                        job_id, data_source_id, created_at, started_at, updated_at, finished_at)
  SELECT replace(j.job_id, 'job-', 'task-') || n, 'SUCCESS', jsonb_build_object('month', '2025-01'), 500, n, 1, 'DOMAIN', '*', $1,
         j.job_id, j.data_source_id, j.created_at, j.created_at, j.created_at + interval '80 seconds', j.created_at + interval '80 seconds'
    FROM jobs j, generate_series(1, 2) AS n`;

const SIZES = `SELECT pg_total_relation_size('job')::float8 AS job, pg_total_relation_size('job_task')::float8 AS task,
                      (SELECT count(*) FROM job)::int AS jobs`;

const listQuery = parseListQuery({ sort: [{ key: 'created_at', desc: true }], page: { start: 1, limit: 50 } });
const listJobs = (db: Database) =>
  runList<JobRow>(db, JOB_CATALOGUE, { principal, query: listQuery, conditions: [], view: jobInfo, minimalView: jobMinimal });

async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    await run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)];
}

interface Sample {
  readonly day: number;
  readonly jobs: number;
  readonly mb: number;
  readonly listMs: number;
  readonly scrapeMs: number;
}

async function simulate(backend: Backend, historyDays: number): Promise<Sample[]> {
  const store = await openBenchStore(backend);
  const { db } = store;
  try {
    await db.query(ADD_DATA_SOURCES, [DOMAIN, SOURCES]);
    const samples: Sample[] = [];
    for (let day = 0; day < DAYS; day++) {
      await db.query(ADD_DAY, [DOMAIN, day, SOURCES, new Date(START + day * DAY_MS)]);
      await pruneHistory(db, historyDays, new Date(START + (day + 1) * DAY_MS));
      await vacuumIfEmbedded(db);
      // A simulated day is a few milliseconds here, far too short for the server's autovacuum
      // (it looks once a minute); this is its part of the day, compressed with the rest.
      if (db.capabilities.autovacuum) await db.exec('VACUUM job, job_task');
      if ((day + 1) % 30 !== 0 && day !== DAYS - 1) continue;
      await db.query('ANALYZE job, job_task');
      const [size] = await db.query<{ job: number; task: number; jobs: number }>(SIZES);
      const sample = {
        day: day + 1,
        jobs: size.jobs,
        mb: (size.job + size.task) / 2 ** 20,
        listMs: await medianMs(() => listJobs(db)),
        scrapeMs: await medianMs(() => readSnapshot(db)),
      };
      samples.push(sample);
      process.stderr.write(`${backend} history ${historyDays || 'all'}: ${JSON.stringify(sample)}\n`);
    }
    return samples;
  } finally {
    await store.release();
  }
}

function table(backend: Backend, kept: Sample[], all: Sample[]): string[] {
  const f = (n: number) => n.toFixed(1);
  return kept.map((k, i) => {
    const a = all[i];
    return `| ${backend} | ${k.day} | ${k.jobs.toLocaleString('en-US')} / ${a.jobs.toLocaleString('en-US')} | ${f(k.mb)} / ${f(a.mb)} MB | ${f(k.listMs)} / ${f(a.listMs)} ms | ${f(k.scrapeMs)} / ${f(a.scrapeMs)} ms |`;
  });
}

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const backends: readonly Backend[] = arg('backend') ? [arg('backend') as Backend] : ['pglite', 'postgres'];
const lines: string[] = [];
for (const backend of backends) {
  const kept = await simulate(backend, 90);
  const all = await simulate(backend, 0);
  lines.push(...table(backend, kept, all));
  // The first sample with a full 90 days of history, against the last.
  const [first, last] = [kept.find((s) => s.day >= 90) ?? kept[0], kept[kept.length - 1]];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  lines.push(
    `| ${backend} | day ${last.day} ÷ day ${first.day}, 90-day history | ${ratio(last.jobs, first.jobs)} | ${ratio(last.mb, first.mb)} | ${ratio(last.listMs, first.listMs)} | ${ratio(last.scrapeMs, first.scrapeMs)} |`,
  );
}
process.stdout.write(
  [
    '| backend | day | jobs kept (90 days / all) | job + job_task size | Job.list page 1 | metrics scrape |',
    '|---|---:|---:|---:|---:|---:|',
    ...lines,
  ].join('\n') + '\n',
);
process.stdout.write(`medians of ${RUNS} runs; ${SOURCES} data sources, hourly, ${DAYS} days\n`);
