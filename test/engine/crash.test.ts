import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openApp } from '../../src/app/open-app.js';
import { silentLogger } from '../../src/app/logger.js';
import { loadConfig } from '../../src/config/config.js';
import { HAS_SERVER, openTestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine, publishedCount, storedCount } from '../helpers/engine-fixture.js';
import { killed, type ServerProcess, startCli, startServer } from '../helpers/cli-process.js';
import { until } from '../helpers/wait.js';

/**
 * A worker process killed with SIGKILL in the middle of a task: nothing is lost and nothing is
 * counted twice. On the PostgreSQL server a separate `costsync worker` dies while this process
 * carries on; on the embedded database the whole `costsync serve` dies and a new process
 * opens the same data directory and finishes the job.
 */

/**
 * Slow enough to be killed mid-task: 2 tasks of 31 pages, 40 ms apart. The month is pinned
 * (every day of it has data, whatever the date) and retention is off in every process, so the
 * worker processes, which run on the system clock, write the same rows on any day.
 */
const SLOW = { accounts: 2, months: 1, start_month: '2025-03', rows_per_day: 20, page_size: 20, page_delay_ms: 40, seed: 5 };
const KEEP_ALL = { COSTSYNC_RETENTION_MONTHS: '0' };

describe('a worker killed with SIGKILL mid-task', () => {
  if (HAS_SERVER)
    it('postgres: another worker takes the task over; no row lost or doubled', async () => {
      const store = await openTestStore('postgres');
      const { engine } = makeTestEngine(store.db, { leaseMs: 1000, heartbeatMs: 300, retentionMonths: 0 });
      try {
        const ds = await insertDataSource(store.db, SLOW);
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        const worker = startCli(['worker'], { COSTSYNC_DATABASE_URL: store.url!, COSTSYNC_WORKER_CONCURRENCY: '2' });
        await until('the worker to write rows', async () => (await storedCount(store.db, ds.data_source_id)) > 40);
        await killed(worker);
        const [before] = await store.db.query<{ status: string; running: number }>(
          `SELECT j.status, (SELECT count(*)::int FROM job_task t WHERE t.job_id = j.job_id AND t.status = 'IN_PROGRESS') AS running
           FROM job j WHERE job_id = $1`,
          [job.job_id],
        );
        assert.equal(before.status, 'IN_PROGRESS', 'killed mid-job');
        assert.ok(before.running > 0, 'killed mid-task');

        engine.start();
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 60_000 });
        assert.equal(done.status, 'SUCCESS');
        const tasks = await store.db.query<{ attempt: number; created_count: number }>(
          'SELECT attempt, created_count FROM job_task WHERE job_id = $1',
          [job.job_id],
        );
        assert.ok(
          tasks.some((t) => t.attempt === 2),
          'a task was taken over',
        );
        const expected = await cleanRunCount(SLOW);
        assert.equal(
          tasks.reduce((sum, t) => sum + t.created_count, 0),
          expected,
        );
        assert.equal(await publishedCount(store.db, ds.data_source_id), expected);
        assert.equal(await storedCount(store.db, ds.data_source_id), expected);
        const totals = await store.db.query<{ name: string; labels: Record<string, string>; value: number }>(
          `SELECT name, labels, value FROM metric_total WHERE name IN ('leases_reaped', 'rows_ingested')`,
        );
        const total = (name: string, outcome: string) => totals.find((t) => t.name === name && t.labels.outcome === outcome)?.value;
        assert.ok((total('leases_reaped', 'requeued') ?? 0) >= 1, 'the reaped lease is counted');
        assert.equal(total('rows_ingested', 'published'), expected, 'rows counted once, when the job published');
      } finally {
        await engine.stop();
        await store.release();
      }
    });

  it('pglite: the next process on the same data directory finishes the job; no row lost or doubled', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'costsync-crash-'));
    let serve: ServerProcess | undefined;
    try {
      serve = await startServer(dataDir);
      const { call } = serve;
      const ds = await call('/cost-analysis/v1/data-source/register', {
        name: 'crash',
        resource_group: 'DOMAIN',
        plugin_info: { plugin_id: 'synthetic', options: SLOW },
        schedule: { state: 'ENABLED', hour: 3 },
      });
      const job = await call('/cost-analysis/v1/data-source/sync', { data_source_id: ds.data_source_id });
      await until('rows to be written', async () => {
        const tasks = await call('/cost-analysis/v1/job-task/list', { job_id: job.job_id });
        return tasks.results.some((t: { created_count?: number }) => (t.created_count ?? 0) > 40);
      });
      const running = await call('/cost-analysis/v1/job/get', { job_id: job.job_id });
      await killed(serve.child);
      assert.equal(running.status, 'IN_PROGRESS', 'killed mid-job');

      const env = {
        COSTSYNC_DATA_DIR: dataDir,
        COSTSYNC_SCHEDULER: '0',
        COSTSYNC_TASK_LEASE_S: '1',
        COSTSYNC_SYNTHETIC_FAULTS: '1',
        ...KEEP_ALL,
      };
      const ctx = await openApp(loadConfig(env), { log: silentLogger });
      ctx.engine.start();
      try {
        const done = await ctx.engine.waitForJob(job.job_id, { timeoutMs: 60_000 });
        assert.equal(done.status, 'SUCCESS');
        const expected = await cleanRunCount(SLOW);
        assert.equal(await publishedCount(ctx.db, ds.data_source_id), expected);
        assert.equal(await storedCount(ctx.db, ds.data_source_id), expected);
      } finally {
        await ctx.engine.stop();
        await ctx.close();
      }
    } finally {
      if (serve) await killed(serve.child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** What an undisturbed sync with the same options writes. */
async function cleanRunCount(options: Record<string, unknown>): Promise<number> {
  const store = await openTestStore('pglite');
  const { engine } = makeTestEngine(store.db, { retentionMonths: 0 });
  try {
    const ds = await insertDataSource(store.db, { ...options, page_delay_ms: 0 });
    engine.start();
    const job = await engine.sync(ds, { syncMode: 'MANUAL' });
    await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
    return publishedCount(store.db, ds.data_source_id);
  } finally {
    await engine.stop();
    await store.release();
  }
}
