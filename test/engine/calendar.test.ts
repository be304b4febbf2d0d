import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppContext } from '../../src/app/context.js';
import { silentLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { bootstrapDemo, describeDemoJob } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config/config.js';
import { runDueSchedules } from '../../src/engine/scheduler.js';
import type { JobRow } from '../../src/store/rows.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';

/**
 * The date-sensitive paths on the days that break date arithmetic: the demo and the synthetic
 * plugin's window (the last three months, the current one to today), retention (two months),
 * the scheduler's slot, and the `changed` window that replaces the previous sync's months.
 *
 * Each scenario syncs the demo at `now`, then moves the clock to `later`, where the scheduler
 * starts the next sync. Expectations are days of data per month, counted by hand from a
 * calendar: 2 accounts × 10 rows a day.
 */
interface Scenario {
  readonly name: string;
  readonly now: string;
  readonly later: string;
  /** Days with data per billed month after the first sync, and after the second. */
  readonly first: Record<string, number>;
  readonly second: Record<string, number>;
  readonly firstBilled: string;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'the 1st of a month at 00:05 UTC',
    now: '2028-03-01T00:05:00Z',
    later: '2028-03-02T00:05:00Z',
    first: { '2028-01': 31, '2028-02': 29, '2028-03': 1 },
    second: { '2028-01': 31, '2028-02': 29, '2028-03': 2 },
    firstBilled: 'billed 2028-01-01 to 2028-03-01',
  },
  {
    name: '29 February',
    now: '2028-02-29T12:00:00Z',
    later: '2028-03-01T00:05:00Z',
    first: { '2027-12': 31, '2028-01': 31, '2028-02': 29 },
    // December is outside the new window and older than the two months retention keeps.
    second: { '2028-01': 31, '2028-02': 29, '2028-03': 1 },
    firstBilled: 'billed 2027-12-01 to 2028-02-29',
  },
  {
    name: '31 December at 23:59 UTC',
    now: '2026-12-31T23:59:00Z',
    later: '2027-01-01T00:05:00Z',
    first: { '2026-10': 31, '2026-11': 30, '2026-12': 31 },
    second: { '2026-11': 30, '2026-12': 31, '2027-01': 1 },
    firstBilled: 'billed 2026-10-01 to 2026-12-31',
  },
];

const ROWS_A_DAY = 2 * 10;
const rowsByMonth = (days: Record<string, number>) => Object.fromEntries(Object.entries(days).map(([month, n]) => [month, n * ROWS_A_DAY]));
const total = (days: Record<string, number>) => Object.values(days).reduce((sum, n) => sum + n, 0) * ROWS_A_DAY;

async function publishedByMonth(ctx: AppContext, dataSourceId: string): Promise<{ months: Record<string, number>; jobs: string[] }> {
  const rows = await ctx.db.query<{ billed_month: string; n: number; jobs: string[] }>(
    `SELECT billed_month, count(*)::int AS n, array_agg(DISTINCT job_id) AS jobs
       FROM published_cost WHERE data_source_id = $1 GROUP BY billed_month ORDER BY billed_month`,
    [dataSourceId],
  );
  return { months: Object.fromEntries(rows.map((r) => [r.billed_month, r.n])), jobs: [...new Set(rows.flatMap((r) => r.jobs))] };
}

for (const backend of BACKENDS) {
  for (const scenario of SCENARIOS) {
    describe(`the calendar on ${scenario.name} (${backend})`, () => {
      let store: TestStore;
      let ctx: AppContext;
      let current = new Date(scenario.now);
      let demo: JobRow;

      before(async () => {
        store = await openTestStore(backend);
        const config = loadConfig({ COSTSYNC_DATA_DIR: 'memory://', COSTSYNC_SCHEDULER: '0', COSTSYNC_RETENTION_MONTHS: '2' });
        ctx = await openApp(config, { db: store.db, log: silentLogger, clock: () => new Date(current) });
        ctx.engine.start();
      });
      after(async () => {
        await ctx?.engine.stop();
        await store?.release();
      });

      it('the demo syncs the last three months, the current one to today, and says which days', async () => {
        demo = (await bootstrapDemo(ctx))!;
        assert.equal(demo.status, 'SUCCESS', demo.error_message ?? '');
        assert.equal(demo.total_tasks, 6);
        const months = Object.keys(scenario.first);
        assert.deepEqual(demo.changed, [{ start: months[0], end: months[2] }]);
        assert.deepEqual((await publishedByMonth(ctx, demo.data_source_id)).months, rowsByMonth(scenario.first));
        const line = await describeDemoJob(ctx, demo);
        assert.ok(line.endsWith(`SUCCESS, 6 tasks, ${total(scenario.first).toLocaleString('en-US')} rows ${scenario.firstBilled}`), line);
      });

      it('the scheduler starts the next slot on the new date; its sync replaces the changed months and retention cuts', async () => {
        current = new Date(scenario.later);
        // The data source was created two days before `later`; its slot is `later`'s hour.
        await ctx.db.query(
          `UPDATE data_source SET schedule_hour = $2, created_at = $3::timestamptz - interval '2 days' WHERE data_source_id = $1`,
          [demo.data_source_id, current.getUTCHours(), current],
        );
        const started: JobRow[] = [];
        const sync: typeof ctx.engine.sync = async (dataSource, request) => {
          const job = await ctx.engine.sync(dataSource, request);
          started.push(job);
          return job;
        };
        assert.equal(await runDueSchedules(ctx.db, sync, silentLogger, current), 1, 'the slot is due');
        assert.equal(await runDueSchedules(ctx.db, sync, silentLogger, current), 0, 'once');
        const next = await ctx.engine.waitForJob(started[0].job_id, { timeoutMs: 60_000 });
        assert.equal(next.status, 'SUCCESS', next.error_message ?? '');
        assert.equal(next.options.sync_mode, 'SCHEDULED');
        const months = Object.keys(scenario.second);
        assert.deepEqual(next.changed, [{ start: months[0], end: months[2] }]);
        const published = await publishedByMonth(ctx, demo.data_source_id);
        assert.deepEqual(published.months, rowsByMonth(scenario.second), 'each month once: replaced, not added to');
        assert.deepEqual(published.jobs, [next.job_id], 'only the new generation is visible');
        const [{ n }] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cost WHERE data_source_id = $1', [
          demo.data_source_id,
        ]);
        assert.equal(n, total(scenario.second), 'nothing of the first generation is left behind');
      });
    });
  }
}
