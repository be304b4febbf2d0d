import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { claimTask } from '../../src/engine/lease.js';
import { sweepEndedJobs } from '../../src/engine/reaper.js';
import type { Database } from '../../src/store/database.js';
import { HAS_SERVER, openTestStore } from '../helpers/backends.js';
import { killed, startCli } from '../helpers/cli-process.js';
import { insertDataSource, makeTestEngine, publishedCount, storedCount } from '../helpers/engine-fixture.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { until, withDeadline } from '../helpers/wait.js';

/**
 * A `costsync worker` frozen (SIGSTOP) with a batch write open — as a paused VM or a process
 * stuck in swap would be — delays nobody: a cancel answers at once, the reaper takes over
 * other workers' expired tasks, the server ends the frozen session after its idle timeout so
 * its own task is taken over too, and when it resumes its writes are fenced out.
 */

/** One task of 31 days × 40 rows in pages of 20, 50 ms apart: about 3 s of batches. */
const SLOW = { accounts: 1, months: 1, start_month: '2025-03', rows_per_day: 40, page_size: 20, page_delay_ms: 50 };
const SLOW_ROWS = 31 * 40;

/** The last statement of a batch write (engine/lease.ts RECORD_PROGRESS). */
const BATCH_PROGRESS = String.raw`^\s*UPDATE job_task\s+SET created_count`;

/**
 * Two ways a worker stops mid-write without dying: its process is frozen (SIGSTOP), or the
 * network between it and the database drops its traffic (a relay that stops forwarding).
 */
interface Stopper {
  readonly name: string;
  /** The worker's COSTSYNC_DATABASE_URL. */
  url(serverUrl: string): Promise<string>;
  stop(worker: ChildProcess): void;
  resume(worker: ChildProcess): void;
  close(): Promise<void>;
}

function sigstop(): Stopper {
  return {
    name: 'frozen (SIGSTOP)',
    url: async (serverUrl) => serverUrl,
    stop: (worker) => worker.kill('SIGSTOP'),
    resume: (worker) => worker.kill('SIGCONT'),
    close: async () => {},
  };
}

function partition(): Stopper {
  let proxy: TcpProxy | undefined;
  return {
    name: 'cut off from the database (its traffic dropped)',
    async url(serverUrl) {
      const target = new URL(serverUrl);
      proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
      target.hostname = '127.0.0.1';
      target.port = String(proxy.port);
      return target.toString();
    },
    stop: () => proxy!.cut(),
    resume: () => proxy!.restore(),
    close: async () => proxy?.close(),
  };
}

/**
 * Stops the worker inside a batch write's transaction, every time: the test holds the task's
 * row, so the worker's batch — its rows copied, its fence passed — waits in its last statement
 * (the task row's update); the worker is stopped there and the row let go, so the update goes
 * through and the transaction stays open, with the task row locked, for as long as the worker
 * is stopped.
 */
async function stopInsideBatch(stopper: Stopper, worker: ChildProcess, db: Database, jobId: string): Promise<void> {
  const applicationName = `costsync ${hostname()}:${worker.pid} engine`;
  let release: () => void = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  let onLocked: () => void = () => {};
  const locked = new Promise<void>((resolve) => (onLocked = resolve));
  const holding = db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM job_task WHERE job_id = $1 FOR UPDATE', [jobId]);
    onLocked();
    await held;
  });
  await locked;
  try {
    await until(
      'the worker’s batch write to wait for the task row',
      async () => {
        const [{ n }] = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE application_name = $1 AND xact_start IS NOT NULL AND wait_event_type = 'Lock' AND query ~* $2`,
          [applicationName, BATCH_PROGRESS],
        );
        return n > 0;
      },
      30_000,
    );
    stopper.stop(worker);
  } finally {
    release();
    await holding;
  }
}

if (HAS_SERVER) {
  for (const makeStopper of [sigstop, partition]) {
    describe(`a worker ${makeStopper().name} inside a batch write`, () => {
      it('delays nobody: cancel answers at once, another job is taken over, the frozen writes are fenced out', async () => {
        const store = await openTestStore('postgres');
        const stopper = makeStopper();
        const worker = startCli(['worker'], {
          COSTSYNC_DATABASE_URL: await stopper.url(store.url!),
          COSTSYNC_WORKER_CONCURRENCY: '1',
          COSTSYNC_BATCH_ROWS: '20',
        });
        const { engine } = makeTestEngine(store.db, { leaseMs: 1000, heartbeatMs: 300, reapMs: 200, concurrency: 1, retentionMonths: 0 });
        try {
          const frozenSource = await insertDataSource(store.db, { ...SLOW, seed: 51 });
          const frozenJob = await engine.sync(frozenSource, { syncMode: 'MANUAL' });
          await until('the worker to write rows', async () => (await storedCount(store.db, frozenSource.data_source_id)) > 0, 60_000);
          await stopInsideBatch(stopper, worker, store.db, frozenJob.job_id);

          // Another job, whose worker vanished holding its task's lease.
          const otherSource = await insertDataSource(store.db, {
            accounts: 1,
            months: 1,
            start_month: '2025-02',
            rows_per_day: 3,
            seed: 52,
          });
          const otherJob = await engine.sync(otherSource, { syncMode: 'MANUAL' });
          assert.equal((await claimTask(store.db, 'vanished-worker', 1000))?.job_id, otherJob.job_id);
          engine.start();

          const asked = Date.now();
          const canceled = await withDeadline(engine.cancel(frozenJob.job_id), 5_000, 'Job.cancel of the frozen worker’s job');
          const cancelMs = Date.now() - asked;
          assert.equal(canceled.status, 'CANCELED');
          assert.ok(cancelMs < 1000, `cancel answered after ${cancelMs} ms`);

          const other = await engine.waitForJob(otherJob.job_id, { timeoutMs: 15_000 });
          assert.equal(other.status, 'SUCCESS', 'the vanished worker’s task was taken over while the other worker stayed frozen');
          assert.equal(await publishedCount(store.db, otherSource.data_source_id), 28 * 3);

          stopper.resume(worker);
          await until(
            'the frozen worker’s task to stop',
            async () => {
              const [task] = await store.db.query<{ status: string }>('SELECT status FROM job_task WHERE job_id = $1', [frozenJob.job_id]);
              return task.status === 'CANCELED';
            },
            20_000,
          );
          await sweepEndedJobs(store.db);
          assert.equal(await storedCount(store.db, frozenSource.data_source_id), 0, 'no row of the cancelled job is left');
          assert.equal(await publishedCount(store.db, frozenSource.data_source_id), 0);
        } finally {
          stopper.resume(worker);
          await killed(worker);
          await stopper.close();
          await engine.stop();
          await store.release();
        }
      });

      it('its own task is taken over once the server ends its idle transaction: exact rows, none twice', async () => {
        const store = await openTestStore('postgres');
        const stopper = makeStopper();
        const worker = startCli(['worker'], {
          COSTSYNC_DATABASE_URL: await stopper.url(store.url!),
          COSTSYNC_WORKER_CONCURRENCY: '1',
          COSTSYNC_BATCH_ROWS: '20',
          COSTSYNC_DB_IDLE_IN_TRANSACTION_S: '2',
          COSTSYNC_DB_STATEMENT_TIMEOUT_S: '3',
        });
        const { engine } = makeTestEngine(store.db, { leaseMs: 1000, heartbeatMs: 300, reapMs: 200, concurrency: 1, retentionMonths: 0 });
        try {
          const source = await insertDataSource(store.db, { ...SLOW, seed: 53 });
          const job = await engine.sync(source, { syncMode: 'MANUAL' });
          await until('the worker to write rows', async () => (await storedCount(store.db, source.data_source_id)) > 0, 60_000);
          await stopInsideBatch(stopper, worker, store.db, job.job_id);
          engine.start();
          const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
          assert.equal(done.status, 'SUCCESS', `${done.error_code}: ${done.error_message}`);
          const [task] = await store.db.query<{ attempt: number; created_count: number }>(
            'SELECT attempt, created_count FROM job_task WHERE job_id = $1',
            [job.job_id],
          );
          assert.ok(task.attempt >= 2, 'the task was taken over');
          stopper.resume(worker);
          // The resumed worker finds its session gone or its lease lost; whatever it tries is fenced out.
          await new Promise((resolve) => setTimeout(resolve, 1500));
          assert.equal(task.created_count, SLOW_ROWS);
          assert.equal(await publishedCount(store.db, source.data_source_id), SLOW_ROWS);
          assert.equal(await storedCount(store.db, source.data_source_id), SLOW_ROWS, 'no row twice');
        } finally {
          stopper.resume(worker);
          await killed(worker);
          await stopper.close();
          await engine.stop();
          await store.release();
        }
      });
    });
  }

  describe('a task row locked by a stuck transaction', () => {
    it('a task row held by a stuck transaction holds up neither the reaper nor a cancel', async () => {
      const store = await openTestStore('postgres');
      const { engine } = makeTestEngine(store.db, { leaseMs: 500, heartbeatMs: 150, reapMs: 200, concurrency: 1, retentionMonths: 0 });
      let release: () => void = () => {};
      try {
        const stuckSource = await insertDataSource(store.db, { accounts: 1, months: 1, start_month: '2025-01', rows_per_day: 2, seed: 54 });
        const stuckJob = await engine.sync(stuckSource, { syncMode: 'MANUAL' });
        const stuck = (await claimTask(store.db, 'stuck-worker', 500))!;
        // As a worker frozen between its batch's fence and its commit: the task row stays locked.
        const held = new Promise<void>((resolve) => (release = resolve));
        const locked = new Promise<void>((onLocked) => {
          void store.db.transaction(async (tx) => {
            await tx.query('SELECT 1 FROM job_task WHERE job_task_id = $1 FOR UPDATE', [stuck.job_task_id]);
            await tx.query('SELECT 1 FROM job WHERE job_id = $1 FOR KEY SHARE', [stuck.job_id]);
            onLocked();
            await held;
          });
        });
        await locked;
        const otherSource = await insertDataSource(store.db, { accounts: 1, months: 1, start_month: '2025-02', rows_per_day: 3, seed: 55 });
        const otherJob = await engine.sync(otherSource, { syncMode: 'MANUAL' });
        assert.equal((await claimTask(store.db, 'vanished-worker', 500))?.job_id, otherJob.job_id);
        await new Promise((resolve) => setTimeout(resolve, 600)); // both leases have expired
        engine.start();
        const other = await engine.waitForJob(otherJob.job_id, { timeoutMs: 15_000 });
        assert.equal(other.status, 'SUCCESS', 'the reaper skipped the locked task and took the other over');
        const asked = Date.now();
        await withDeadline(engine.cancel(stuckJob.job_id), 5_000, 'Job.cancel of the stuck job');
        assert.ok(Date.now() - asked < 1000, `cancel answered after ${Date.now() - asked} ms`);
        release();
        await until(
          'the stuck task to stop once its row is free',
          async () =>
            (await store.db.query<{ status: string }>('SELECT status FROM job_task WHERE job_id = $1', [stuckJob.job_id]))[0].status ===
            'CANCELED',
          10_000,
        );
      } finally {
        release();
        await engine.stop();
        await store.release();
      }
    });
  });
}
