import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CostInfo, PluginClient } from '../../src/plugins/plugin.js';
import { makeSyntheticPlugin } from '../../src/plugins/synthetic/plugin.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine, storedCount, testClock, testPlugins } from '../helpers/engine-fixture.js';

/**
 * What a plugin may send is bounded, and each bound fails clearly (a code, and a message that
 * names the limit and its setting): tasks per plan, rows per page, keys and characters per row,
 * NUL characters; and a plugin that sends nothing but empty pages stalls like a silent one.
 */
const synthetic = makeSyntheticPlugin(testClock);

function pluginSending(pages: () => AsyncGenerator<CostInfo[]>): PluginClient {
  return { ...synthetic, getTasks: async () => ({ tasks: [{ task_options: {} }], changed: [] }), getData: () => pages() };
}

for (const backend of BACKENDS) {
  describe(`plugin limits (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(async () => {
      await store.release();
    });

    async function runWith(plugin: PluginClient, overrides = {}) {
      const { engine } = makeTestEngine(store.db, overrides, testPlugins({ limited: plugin }));
      const ds = await insertDataSource(store.db, {}, { pluginId: 'limited' });
      engine.start();
      try {
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        const done = await engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
        const [task] = await store.db.query<{ status: string; error_code: string; error_message: string }>(
          'SELECT status, error_code, error_message FROM job_task WHERE job_id = $1',
          [job.job_id],
        );
        return { done, task, stored: await storedCount(store.db, ds.data_source_id) };
      } finally {
        await engine.stop();
      }
    }

    it('a plan with more tasks than COSTSYNC_PLAN_MAX_TASKS fails the sync before any task exists', async () => {
      const many: PluginClient = {
        ...synthetic,
        getTasks: async () => ({ tasks: Array.from({ length: 11 }, () => ({ task_options: {} })) }),
      };
      const { engine } = makeTestEngine(store.db, { maxPlanTasks: 10 }, testPlugins({ many }));
      const ds = await insertDataSource(store.db, {}, { pluginId: 'many' });
      await assert.rejects(engine.sync(ds, { syncMode: 'MANUAL' }), (error: { code: string; message: string }) => {
        assert.equal(error.code, 'ERROR_GET_JOB_TASKS');
        assert.match(error.message, /the plugin planned 11 tasks; a sync may have at most 10 \(COSTSYNC_PLAN_MAX_TASKS\)/);
        return true;
      });
      const [{ n }] = await store.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job_task WHERE data_source_id = $1', [
        ds.data_source_id,
      ]);
      assert.equal(n, 0);
    });

    it('a page with more rows than COSTSYNC_PAGE_MAX_ROWS fails the task, naming the limit', async () => {
      const rows = Array.from({ length: 51 }, () => ({ billed_date: '2025-06-01', cost: 1 }));
      const { done, task, stored } = await runWith(
        pluginSending(async function* () {
          yield rows.slice(0, 10);
          yield rows;
        }),
        { maxPageRows: 50 },
      );
      assert.equal(done.status, 'FAILURE');
      assert.equal(task.error_code, 'ERROR_INVALID_PARAMETER');
      assert.match(task.error_message, /page after row 10: 51 rows; a page may have at most 50 \(COSTSYNC_PAGE_MAX_ROWS\)/);
      assert.equal(stored, 0);
    });

    it('a row with a NUL character, too many tag keys or a huge value fails the task naming the row', async () => {
      const cases: [CostInfo, RegExp][] = [
        [{ billed_date: '2025-06-02', resource: 'vm\u00001' }, /row 2: resource holds a NUL character/],
        [
          { billed_date: '2025-06-02', tags: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`k${i}`, i])) },
          /row 2: tags has more than 5 keys/,
        ],
        [{ billed_date: '2025-06-02', tags: { note: 'x'.repeat(200) } }, /row 2: tags has 211 characters; at most 100/],
      ];
      for (const [bad, message] of cases) {
        const { done, task } = await runWith(
          pluginSending(async function* () {
            yield [{ billed_date: '2025-06-01' }, bad];
          }),
          { rowLimits: { maxKeys: 5, maxValueChars: 100 } },
        );
        assert.equal(done.status, 'FAILURE');
        assert.equal(task.error_code, 'ERROR_INVALID_PARAMETER');
        assert.match(task.error_message, message);
      }
    });

    it('a plugin that sends only empty pages stalls: TIMEOUT after the stall timeout', async () => {
      const { done, task } = await runWith(
        pluginSending(async function* () {
          for (;;) {
            yield [];
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }),
        { taskStallTimeoutMs: 600 },
      );
      assert.equal(done.status, 'TIMEOUT');
      assert.equal(task.status, 'TIMEOUT');
      assert.equal(task.error_code, 'ERROR_TASK_TIMEOUT');
    });
  });
}
