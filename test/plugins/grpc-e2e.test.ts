import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addMonths, monthOf } from '../../src/domain/time.js';
import type { Database } from '../../src/store/database.js';
import { openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine, publishedCount, testClock, testPlugins } from '../helpers/engine-fixture.js';
import { startPluginProcess, type PluginProcess } from './plugin-process.js';

/**
 * The engine talks to a plugin process built with costsync/sdk, over gRPC: a full sync, a
 * plugin killed mid-stream (retried, or FAILURE when retries are off — never a hang), and a
 * plugin error code carried to the task.
 */
const MODULE = 'test/fixtures/plugins/counting-plugin.ts';
const MONTH = addMonths(monthOf(testClock()), -1);

describe('engine ⇄ SDK plugin process over gRPC', () => {
  let store: TestStore;
  let db: Database;
  let plugin: PluginProcess;
  let dir: string;
  const processes: PluginProcess[] = [];

  before(async () => {
    store = await openTestStore('pglite');
    db = store.db;
    plugin = await startPluginProcess(MODULE);
    processes.push(plugin);
    dir = mkdtempSync(join(tmpdir(), 'costsync-grpc-e2e-'));
  });
  after(async () => {
    for (const p of processes) await p.kill();
    await store.release();
    rmSync(dir, { recursive: true, force: true });
  });

  const sync = async (pluginId: string, options: Record<string, unknown>, overrides: Record<string, unknown> = {}, grpc = {}) => {
    const fixture = makeTestEngine(db, overrides, testPlugins({}, { grpc: { unaryRetries: 0, ...grpc } }));
    const dataSource = await insertDataSource(db, { month: MONTH, ...options }, { pluginId });
    fixture.engine.start();
    try {
      const job = await fixture.engine.sync(dataSource, { syncMode: 'MANUAL' });
      const done = await fixture.engine.waitForJob(job.job_id, { timeoutMs: 60_000 });
      const tasks = await db.query<any>('SELECT * FROM job_task WHERE job_id = $1 ORDER BY seq', [job.job_id]);
      return { job: done, tasks, rows: await publishedCount(db, dataSource.data_source_id) };
    } finally {
      await fixture.engine.stop();
    }
  };

  test('sync: SUCCESS with the exact row count (2 tasks × 2,500 rows, the last page short)', async () => {
    const { job, tasks, rows } = await sync(plugin.url, { tasks: 2, rows: 2500 });
    assert.equal(job.status, 'SUCCESS', job.error_message ?? '');
    assert.deepEqual(
      tasks.map((t: any) => [t.status, t.created_count]),
      [
        ['SUCCESS', 2500],
        ['SUCCESS', 2500],
      ],
    );
    assert.equal(rows, 5000);
  });

  test('a page larger than COSTSYNC_PAGE_MAX_BYTES fails the task at once, naming the limit', async () => {
    const { job, tasks, rows } = await sync(plugin.url, { tasks: 1, rows: 2000, page_size: 2000 }, {}, { maxPageBytes: 64 * 1024 });
    assert.equal(job.status, 'FAILURE');
    assert.equal(tasks[0].error_code, 'ERROR_INVALID_PARAMETER');
    assert.match(tasks[0].error_message, /larger than COSTSYNC_PAGE_MAX_BYTES/);
    assert.equal(tasks[0].attempt, 1, 'not retried: a smaller page needs a change in the plugin');
    assert.equal(rows, 0);
  });

  test('a plugin error ERROR_* mid-stream: the task shows that code and message, the job fails', async () => {
    const { job, tasks } = await sync(plugin.url, {
      tasks: 1,
      rows: 3000,
      fail_code: 'ERROR_EMPTY_BILLED_DATE',
      fail_message: 'no billed date in row 1001',
    });
    assert.equal(job.status, 'FAILURE');
    assert.equal(job.error_code, 'ERROR_JOB_TASK');
    assert.equal(tasks[0].status, 'FAILURE');
    assert.equal(tasks[0].error_code, 'ERROR_EMPTY_BILLED_DATE');
    assert.equal(tasks[0].error_message, 'no billed date in row 1001');
  });

  test('plugin killed mid-stream, retries off: the task ends FAILURE with ERROR_GRPC_CONNECTION, no hang', async () => {
    const doomed = await startPluginProcess(MODULE);
    processes.push(doomed);
    const started = Date.now();
    const { job, tasks, rows } = await sync(
      doomed.url,
      { tasks: 1, rows: 5000, exit_after_rows: 2000, exit_marker: join(dir, 'killed-once') },
      { maxAttempts: 1 },
    );
    assert.equal(job.status, 'FAILURE');
    assert.equal(tasks[0].status, 'FAILURE');
    assert.equal(tasks[0].error_code, 'ERROR_GRPC_CONNECTION');
    assert.equal(rows, 0);
    assert.ok(Date.now() - started < 30_000);
  });

  test('plugin killed mid-stream and restarted: the retry succeeds and no row is counted twice', async () => {
    const first = await startPluginProcess(MODULE);
    processes.push(first);
    const marker = join(dir, 'killed-then-restarted');
    // Bring the plugin back on the same port as soon as it dies.
    const restarted = first.exited.then(async () => {
      const second = await startPluginProcess(MODULE, first.port);
      processes.push(second);
    });
    const { job, tasks, rows } = await sync(
      first.url,
      { tasks: 1, rows: 5000, exit_after_rows: 2000, exit_marker: marker },
      { maxAttempts: 5, retryBackoffMs: 1_000 },
    );
    await restarted;
    assert.equal(job.status, 'SUCCESS', `${tasks[0]?.error_code}: ${tasks[0]?.error_message}`);
    assert.ok(tasks[0].attempt >= 2, `attempt ${tasks[0].attempt}`);
    assert.equal(rows, 5000);
  });
});
