import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { claimTask } from '../../src/engine/lease.js';
import { makeSyntheticPlugin } from '../../src/plugins/synthetic/plugin.js';
import type { Engine } from '../../src/engine/types.js';
import type { DataSourceRow } from '../../src/store/rows.js';
import { BACKENDS, HAS_SERVER, openTestStore, type TestStore } from '../helpers/backends.js';
import { until } from '../helpers/wait.js';
import { insertDataSource, makeTestEngine, publishedCount, storedCount, testClock, testPlugins } from '../helpers/engine-fixture.js';

/**
 * Fault injection: cancel mid-stream, a failing task, transient outages, a hung plugin,
 * a job past its deadline, a worker that vanishes holding a lease. In every case the previous
 * generation of data stays exactly as it was, and no row is lost or counted twice.
 */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tasksOf(store: TestStore, jobId: string) {
  return store.db.query<{
    seq: number;
    status: string;
    attempt: number;
    created_count: number;
    error_code: string | null;
    error_message: string | null;
  }>('SELECT seq, status, attempt, created_count, error_code, error_message FROM job_task WHERE job_id = $1 ORDER BY seq', [jobId]);
}

/** Syncs once with `base` options and returns the published row count and the job id. */
async function firstGeneration(store: TestStore, engine: Engine, ds: DataSourceRow) {
  const job = await engine.sync(ds, { syncMode: 'MANUAL' });
  const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
  assert.equal(done.status, 'SUCCESS');
  return { count: await publishedCount(store.db, ds.data_source_id), jobId: job.job_id };
}

/** Changes the stored plugin options (workers read them from the data source). */
async function withOptions(
  store: TestStore,
  ds: DataSourceRow,
  options: Record<string, unknown>,
  pluginId?: string,
): Promise<DataSourceRow> {
  const pluginInfo = {
    ...ds.plugin_info!,
    plugin_id: pluginId ?? ds.plugin_info!.plugin_id,
    options: { ...ds.plugin_info!.options, ...options },
  };
  const [row] = await store.db.query<DataSourceRow>('UPDATE data_source SET plugin_info = $2 WHERE data_source_id = $1 RETURNING *', [
    ds.data_source_id,
    JSON.stringify(pluginInfo),
  ]);
  return row;
}

async function onlyVisibleJob(store: TestStore, dataSourceId: string): Promise<string[]> {
  return (
    await store.db.query<{ job_id: string }>('SELECT DISTINCT job_id FROM published_cost WHERE data_source_id = $1', [dataSourceId])
  ).map((r) => r.job_id);
}

for (const backend of BACKENDS) {
  describe(`engine faults (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(async () => {
      await store.release();
    });

    it('cancel mid-stream stops the work promptly and leaves the previous generation intact', async () => {
      const { engine } = makeTestEngine(store.db, { batchRows: 20 });
      const ds = await insertDataSource(store.db, { accounts: 2, months: 1, rows_per_day: 20, page_size: 10 });
      engine.start();
      try {
        const previous = await firstGeneration(store, engine, ds);
        const slow = await withOptions(store, ds, { page_delay_ms: 40 });
        const job = await engine.sync(slow, { syncMode: 'MANUAL' });
        await until('the second sync to write rows', async () => (await storedCount(store.db, ds.data_source_id)) > previous.count, 20_000);
        const canceled = await engine.cancel(job.job_id);
        assert.equal(canceled.status, 'CANCELED');
        assert.ok(canceled.finished_at);
        await sleep(300);
        const tasks = await tasksOf(store, job.job_id);
        assert.ok(
          tasks.every((t) => t.status === 'CANCELED'),
          JSON.stringify(tasks),
        );
        const progress = tasks.reduce((sum, t) => sum + t.created_count, 0);
        await sleep(400);
        const later = (await tasksOf(store, job.job_id)).reduce((sum, t) => sum + t.created_count, 0);
        assert.equal(later, progress, 'no batch is written after the cancel');
        assert.equal(await storedCount(store.db, ds.data_source_id), previous.count, 'the cancelled job left no row behind');
        assert.deepEqual(await onlyVisibleJob(store, ds.data_source_id), [previous.jobId]);
        await assert.rejects(engine.cancel(job.job_id), { code: 'ERROR_JOB_STATE' });
      } finally {
        await engine.stop();
      }
    });

    it('a failing task fails the job with ERROR_JOB_TASK and rolls back only its rows', async () => {
      const { engine } = makeTestEngine(store.db, { batchRows: 50 });
      const ds = await insertDataSource(store.db, { accounts: 2, months: 1, rows_per_day: 10, page_size: 25 });
      engine.start();
      try {
        const previous = await firstGeneration(store, engine, ds);
        const job = await engine.sync(await withOptions(store, ds, { fail_task: 1, fail_after_rows: 120 }), { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'FAILURE');
        assert.equal(done.error_code, 'ERROR_JOB_TASK');
        const failed = (await tasksOf(store, job.job_id)).find((t) => t.seq === 1)!;
        assert.equal(failed.status, 'FAILURE');
        assert.equal(failed.error_code, 'ERROR_SYNTHETIC_FAILURE');
        assert.match(failed.error_message!, /fail_task = 1/);
        assert.deepEqual(await onlyVisibleJob(store, ds.data_source_id), [previous.jobId]);
        assert.equal(await publishedCount(store.db, ds.data_source_id), previous.count, 'readers see the previous generation, exactly');
        // A batch of the other task that passed its fence just before the failure may commit
        // after it; that task's worker removes it as it stops.
        await until(
          'the failed job’s rows to be gone',
          async () => (await storedCount(store.db, ds.data_source_id)) === previous.count,
          5_000,
        );
      } finally {
        await engine.stop();
      }
    });

    it('a bad row fails the task with the row number and the field to fix', async () => {
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1 });
      const plugin = makeSyntheticPlugin(testClock);
      const badRows = {
        ...plugin,
        async *getData() {
          yield [
            { billed_date: '2026-01-01', cost: 1 },
            { billed_date: '2026-02-30', cost: 2 },
          ];
        },
      };
      const fixture = makeTestEngine(store.db, {}, testPlugins({ badRows }));
      const job = await fixture.engine.sync(await withOptions(store, ds, {}, 'badRows'), { syncMode: 'MANUAL' });
      fixture.engine.start();
      try {
        const done = await fixture.engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'FAILURE');
        const [task] = await tasksOf(store, job.job_id);
        assert.equal(task.error_code, 'ERROR_INVALID_PARAMETER_TYPE');
        assert.match(task.error_message!, /row 2: billed_date must be a date YYYY-MM-DD, got "2026-02-30"/);
        assert.equal(await storedCount(store.db, ds.data_source_id), 0);
      } finally {
        await fixture.engine.stop();
      }
    });

    it('transient plugin failures are retried and the job succeeds with no duplicate row', async () => {
      const { engine } = makeTestEngine(store.db, { batchRows: 30, maxAttempts: 3 });
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1, rows_per_day: 10, page_size: 10, seed: 11 });
      engine.start();
      try {
        const clean = await firstGeneration(store, engine, ds);
        const job = await engine.sync(await withOptions(store, ds, { transient_failures: 2, fail_after_rows: 70 }), { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS');
        const [task] = await tasksOf(store, job.job_id);
        assert.equal(task.attempt, 3);
        assert.equal(task.created_count, clean.count);
        assert.equal(await publishedCount(store.db, ds.data_source_id), clean.count);
        assert.equal(await storedCount(store.db, ds.data_source_id), clean.count);
      } finally {
        await engine.stop();
      }
    });

    it('transient failures beyond the attempt limit fail the job', async () => {
      const { engine } = makeTestEngine(store.db, { maxAttempts: 2 });
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1, rows_per_day: 2, seed: 12, transient_failures: 5 });
      engine.start();
      try {
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'FAILURE');
        const [task] = await tasksOf(store, job.job_id);
        assert.equal(task.attempt, 2);
        assert.equal(task.error_code, 'ERROR_UNAVAILABLE');
        assert.match(task.error_message!, /gave up after 2 attempts/);
      } finally {
        await engine.stop();
      }
    });

    it('a hung plugin ends the task and the job TIMEOUT, and the worker is free again', async () => {
      const { engine } = makeTestEngine(store.db, { taskStallTimeoutMs: 800, concurrency: 1 });
      const ds = await insertDataSource(store.db, { accounts: 2, months: 1, rows_per_day: 3, hang_task: 0, fail_after_rows: 5 });
      engine.start();
      try {
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'TIMEOUT');
        assert.equal(done.error_code, 'ERROR_TASK_TIMEOUT');
        const tasks = await tasksOf(store, job.job_id);
        assert.equal(tasks[0].status, 'TIMEOUT');
        assert.equal(await storedCount(store.db, ds.data_source_id), 0);
        const next = await engine.sync(await withOptions(store, ds, { hang_task: null }), { syncMode: 'MANUAL' });
        assert.equal((await engine.waitForJob(next.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
      } finally {
        await engine.stop();
      }
    });

    it('a job past its deadline ends TIMEOUT and its rows are rolled back', async () => {
      const { engine } = makeTestEngine(store.db, { jobTimeoutMs: 600, batchRows: 10 });
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1, rows_per_day: 50, page_size: 10, page_delay_ms: 100 });
      engine.start();
      try {
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'TIMEOUT');
        assert.equal(done.error_code, 'ERROR_JOB_TIMEOUT');
        await sleep(300);
        assert.equal(await storedCount(store.db, ds.data_source_id), 0);
      } finally {
        await engine.stop();
      }
    });

    it('a task whose worker vanished is taken over after its lease expires, with no row lost or doubled', async () => {
      const { engine } = makeTestEngine(store.db, { leaseMs: 500 });
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1, rows_per_day: 4, seed: 21 });
      const job = await engine.sync(ds, { syncMode: 'MANUAL' });
      // A worker claims the task and dies before writing anything more.
      const ghost = await claimTask(store.db, 'ghost-worker', 500);
      assert.equal(ghost?.job_id, job.job_id);
      engine.start();
      try {
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS');
        const [task] = await tasksOf(store, job.job_id);
        assert.equal(task.attempt, 2);
        assert.equal(await publishedCount(store.db, ds.data_source_id), task.created_count);
        assert.equal(await storedCount(store.db, ds.data_source_id), task.created_count);
      } finally {
        await engine.stop();
      }
    });
  });
}

if (HAS_SERVER)
  describe('engine faults (postgres only)', () => {
    it('database connections cut mid-task: the attempt is retried and no row is lost or doubled', async () => {
      const store = await openTestStore('postgres');
      const { engine } = makeTestEngine(store.db, { batchRows: 20, maxAttempts: 5 });
      try {
        const ds = await insertDataSource(store.db, {
          accounts: 2,
          months: 1,
          rows_per_day: 20,
          page_size: 20,
          page_delay_ms: 30,
          seed: 31,
        });
        engine.start();
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        await until('100 rows to be written', async () => (await storedCount(store.db, ds.data_source_id)) >= 100, 20_000);
        // Hold the job row: the next batch write then waits at its fence (its rows copied, not yet
        // committed), where its connection is cut. The batch is neither committed nor lost: the
        // attempt is tried again.
        const cut = await store.db.transaction(async (tx) => {
          await tx.query('SELECT 1 FROM job WHERE job_id = $1 FOR UPDATE', [job.job_id]);
          for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(10)) {
            await tx.query('SELECT pg_stat_clear_snapshot()'); // activity is otherwise read once per transaction
            const [row] = await tx.query<{ n: number }>(
              `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
              WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
                AND query ILIKE '%FROM job WHERE job_id%FOR KEY SHARE%'`,
            );
            if (row.n > 0) return row.n;
          }
          return 0;
        });
        assert.ok(cut > 0, 'a batch write was caught waiting and cut');
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 60_000 });
        assert.equal(done.status, 'SUCCESS', `${done.error_code}: ${done.error_message}`);
        const tasks = await tasksOf(store, job.job_id);
        assert.ok(
          tasks.some((t) => t.attempt > 1),
          'a cut attempt was tried again',
        );
        const rows = tasks.reduce((sum, t) => sum + t.created_count, 0);
        assert.equal(await publishedCount(store.db, ds.data_source_id), rows);
        assert.equal(await storedCount(store.db, ds.data_source_id), rows);
        const expected = (
          await store.db.query<{ n: number }>(
            `SELECT count(DISTINCT (job_task_id, billed_date, resource, cost))::int AS n FROM cost WHERE data_source_id = $1`,
            [ds.data_source_id],
          )
        )[0].n;
        assert.equal(expected, rows, 'no row appears twice');
      } finally {
        await engine.stop();
        await store.release();
      }
    });
  });
