import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine, publishedCount, storedCount, testClock, testPlugins } from '../helpers/engine-fixture.js';
import { until } from '../helpers/wait.js';
import { makeSyntheticPlugin } from '../../src/plugins/synthetic/plugin.js';
import type { PluginClient } from '../../src/plugins/plugin.js';

/** Rows the synthetic plugin produces for `accounts` over May and June to the 18th (the test clock). */
const expectedRows = (accounts: number, rowsPerDay: number) => accounts * (31 + 18) * rowsPerDay;

/** The jobs whose rows a reader sees for a data source. */
async function visibleJobs(store: TestStore, dataSourceId: string): Promise<string[]> {
  const rows = await store.db.query<{ job_id: string }>(
    'SELECT DISTINCT job_id FROM published_cost WHERE data_source_id = $1 ORDER BY job_id',
    [dataSourceId],
  );
  return rows.map((r) => r.job_id);
}

for (const backend of BACKENDS) {
  describe(`job lifecycle (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(async () => {
      await store.release();
    });

    it('a sync ends SUCCESS with exactly the rows the plugin sent, visible only once published', async () => {
      const { engine } = makeTestEngine(store.db);
      const ds = await insertDataSource(store.db, { accounts: 2, months: 2, rows_per_day: 7, page_size: 100 });
      const job = await engine.sync(ds, { syncMode: 'MANUAL' });
      assert.equal(job.status, 'IN_PROGRESS');
      assert.equal(job.total_tasks, 4);
      assert.deepEqual(job.changed, [{ start: '2025-05', end: '2025-06' }], 'the last two months on the test clock');
      assert.equal(await publishedCount(store.db, ds.data_source_id), 0, 'nothing is visible before the job runs');
      engine.start();
      try {
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS');
        assert.equal(done.remained_tasks, 0);
        assert.ok(done.finished_at);
        const expected = expectedRows(2, 7);
        assert.equal(await publishedCount(store.db, ds.data_source_id), expected);
        const tasks = await store.db.query<{ status: string; created_count: number }>(
          'SELECT status, created_count FROM job_task WHERE job_id = $1',
          [job.job_id],
        );
        assert.ok(tasks.every((t) => t.status === 'SUCCESS'));
        assert.equal(
          tasks.reduce((sum, t) => sum + t.created_count, 0),
          expected,
        );
        const [source] = await store.db.query<{ last_synchronized_at: Date; cost_tag_keys: string[] }>(
          'SELECT last_synchronized_at, cost_tag_keys FROM data_source WHERE data_source_id = $1',
          [ds.data_source_id],
        );
        assert.equal(source.last_synchronized_at.getTime(), done.created_at.getTime());
        assert.deepEqual(source.cost_tag_keys, ['env', 'team']);
      } finally {
        await engine.stop();
      }
    });

    it('a second sync replaces the changed window: never both generations, never neither', async () => {
      const { engine } = makeTestEngine(store.db);
      const ds = await insertDataSource(store.db, { accounts: 2, months: 2, rows_per_day: 5, page_size: 50, page_delay_ms: 5 });
      engine.start();
      try {
        const first = await engine.sync(ds, { syncMode: 'MANUAL' });
        await engine.waitForJob(first.job_id, { timeoutMs: 30_000 });
        const expected = expectedRows(2, 5);
        assert.equal(await publishedCount(store.db, ds.data_source_id), expected);

        const second = await engine.sync({ ...ds }, { syncMode: 'MANUAL' });
        const seen = new Set<string>();
        await until(
          'the second sync to end, reading the published rows all along',
          async () => {
            const [job] = await store.db.query<{ status: string }>('SELECT status FROM job WHERE job_id = $1', [second.job_id]);
            const jobs = await visibleJobs(store, ds.data_source_id);
            assert.equal(jobs.length, 1, `readers saw rows of ${jobs.length} jobs at once`);
            assert.equal(await publishedCount(store.db, ds.data_source_id), expected);
            seen.add(jobs[0]);
            return job.status !== 'IN_PROGRESS';
          },
          30_000,
          { rethrow: true },
        );
        assert.deepEqual(await visibleJobs(store, ds.data_source_id), [second.job_id]);
        assert.ok(seen.has(first.job_id), 'the old generation stayed visible while the new one was written');
        assert.equal(await storedCount(store.db, ds.data_source_id), expected, 'old rows are gone from the table');
      } finally {
        await engine.stop();
      }
    });

    it('a job runs with the plugin options it was planned with, whatever update-plugin does meanwhile', async () => {
      const { engine } = makeTestEngine(store.db, { concurrency: 1, batchRows: 10 });
      const planned = { accounts: 2, months: 1, rows_per_day: 5, page_size: 10, page_delay_ms: 20, seed: 41 };
      const ds = await insertDataSource(store.db, planned);
      const job = await engine.sync(ds, { syncMode: 'MANUAL' });
      engine.start();
      try {
        await until('the first task to write rows', async () => (await storedCount(store.db, ds.data_source_id)) > 0, 20_000);
        const changed = { ...ds.plugin_info!, options: { ...planned, rows_per_day: 7, seed: 42 } };
        await store.db.query('UPDATE data_source SET plugin_info = $2 WHERE data_source_id = $1', [
          ds.data_source_id,
          JSON.stringify(changed),
        ]);
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS');
        const tasks = await store.db.query<{ created_count: number }>('SELECT created_count FROM job_task WHERE job_id = $1 ORDER BY seq', [
          job.job_id,
        ]);
        assert.deepEqual(
          tasks.map((t) => t.created_count),
          [18 * 5, 18 * 5],
          'both tasks ran with 5 rows a day (June 1–18), as planned',
        );
        assert.equal(await publishedCount(store.db, ds.data_source_id), 2 * 18 * 5);
      } finally {
        await engine.stop();
      }
    });

    it('a job with no tasks succeeds at once and applies its changed window', async () => {
      const plugin = makeSyntheticPlugin(testClock);
      const empty: PluginClient = { ...plugin, getTasks: async () => ({ tasks: [], changed: [{ start: '1900-01' }] }) };
      const { engine } = makeTestEngine(store.db, {}, testPlugins({ empty }));
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1 });
      engine.start();
      try {
        const first = await engine.sync(ds, { syncMode: 'MANUAL' });
        await engine.waitForJob(first.job_id, { timeoutMs: 30_000 });
        assert.ok((await publishedCount(store.db, ds.data_source_id)) > 0);
        await store.db.query(
          `UPDATE data_source SET plugin_info = jsonb_set(plugin_info, '{plugin_id}', '"empty"') WHERE data_source_id = $1`,
          [ds.data_source_id],
        );
        const [row] = await store.db.query<typeof ds>('SELECT * FROM data_source WHERE data_source_id = $1', [ds.data_source_id]);
        const job = await engine.sync(row, { syncMode: 'MANUAL' });
        assert.equal(job.status, 'SUCCESS');
        assert.equal(job.total_tasks, 0);
        assert.equal(await publishedCount(store.db, ds.data_source_id), 0);
      } finally {
        await engine.stop();
      }
    });

    it('two concurrent syncs of one data source start one job, and the plugin is asked once', async () => {
      let asked = 0;
      const plugin = makeSyntheticPlugin(testClock);
      const counting: PluginClient = {
        ...plugin,
        getTasks: async (req, signal) => {
          asked++;
          return plugin.getTasks(req, signal);
        },
      };
      const { engine } = makeTestEngine(store.db, {}, testPlugins({ counting }));
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1 }, { pluginId: 'counting' });
      const results = await Promise.allSettled([engine.sync(ds, { syncMode: 'MANUAL' }), engine.sync(ds, { syncMode: 'MANUAL' })]);
      const started = results.filter((r) => r.status === 'fulfilled');
      const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(started.length, 1);
      assert.equal(refused.length, 1);
      const running = (started[0] as PromiseFulfilledResult<{ job_id: string }>).value.job_id;
      assert.equal(refused[0].reason.code, 'ERROR_DUPLICATE_JOB');
      assert.match(refused[0].reason.message, new RegExp(running));
      assert.equal(asked, 1);
      const [count] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job WHERE data_source_id = $1', [
        ds.data_source_id,
      ]);
      assert.equal(count.n, 1);
      await engine.cancel(running);
    });

    it('a data source deregistered while the plugin plans: the job ends CANCELED with no task', async () => {
      const plugin = makeSyntheticPlugin(testClock);
      let release!: () => void;
      const planning = new Promise<void>((resolve) => {
        release = resolve;
      });
      let asked!: () => void;
      const wasAsked = new Promise<void>((resolve) => {
        asked = resolve;
      });
      const slow: PluginClient = {
        ...plugin,
        getTasks: async (req, signal) => {
          asked();
          await planning;
          return plugin.getTasks(req, signal);
        },
      };
      const { engine } = makeTestEngine(store.db, {}, testPlugins({ slow }));
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1 }, { pluginId: 'slow' });
      const syncing = engine.sync(ds, { syncMode: 'MANUAL' });
      await wasAsked;
      await store.db.query('DELETE FROM data_source WHERE data_source_id = $1', [ds.data_source_id]);
      release();
      const job = await syncing;
      assert.equal(job.status, 'CANCELED');
      assert.match(job.error_message ?? '', /deregistered/);
      const [tasks] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_task WHERE job_id = $1', [job.job_id]);
      assert.equal(tasks.n, 0);
    });

    it('a disabled data source cannot be synced', async () => {
      const { engine } = makeTestEngine(store.db);
      const ds = await insertDataSource(store.db, { accounts: 1, months: 1 });
      await assert.rejects(engine.sync({ ...ds, schedule_state: 'DISABLED' }, { syncMode: 'MANUAL' }), { code: 'ERROR_DATA_SOURCE_STATE' });
    });

    it('a plugin that cannot plan fails the sync with ERROR_GET_JOB_TASKS and leaves a FAILURE job', async () => {
      const { engine } = makeTestEngine(store.db);
      const ds = await insertDataSource(store.db, { accounts: 'many' });
      await assert.rejects(engine.sync(ds, { syncMode: 'MANUAL' }), (error: { code: string; message: string }) => {
        assert.equal(error.code, 'ERROR_GET_JOB_TASKS');
        assert.match(error.message, /accounts/);
        return true;
      });
      const [job] = await store.db.query<{ status: string; error_code: string }>(
        'SELECT status, error_code FROM job WHERE data_source_id = $1',
        [ds.data_source_id],
      );
      assert.deepEqual({ ...job }, { status: 'FAILURE', error_code: 'ERROR_GET_JOB_TASKS' });
      const again = await engine.sync(
        { ...ds, plugin_info: { ...ds.plugin_info!, options: { accounts: 1, months: 1 } } },
        { syncMode: 'MANUAL' },
      );
      assert.equal(again.status, 'IN_PROGRESS', 'a failed plan does not block the next sync');
      await engine.cancel(again.job_id);
    });

    it('a plan with a malformed changed window is refused before any row is written', async () => {
      const plugin = makeSyntheticPlugin(testClock);
      const bad: PluginClient = { ...plugin, getTasks: async () => ({ tasks: [{ task_options: {} }], changed: [{ start: 'last year' }] }) };
      const { engine } = makeTestEngine(store.db, {}, testPlugins({ bad }));
      const ds = await insertDataSource(store.db, {}, { pluginId: 'bad' });
      await assert.rejects(engine.sync(ds, { syncMode: 'MANUAL' }), /changed\[0\]\.start must be YYYY-MM/);
    });
  });
}
