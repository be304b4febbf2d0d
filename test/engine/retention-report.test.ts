import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retentionNote } from '../../src/cli/progress.js';
import { daysInMonth } from '../../src/domain/time.js';
import { errorOf, openTestApp } from '../api/harness.js';
import { BACKENDS } from '../helpers/backends.js';

/**
 * Loading last year's exports is the first thing a new user does. Rows older than the retention
 * period are removed when the job is published — and the job, its tasks, the CLI and the
 * dashboard say how many, from which month on rows were kept, and how to keep more; each data
 * source can keep its own number of months. The clock is pinned at 2025-06-18 (testClock).
 */
const OPTIONS = { accounts: 2, months: 6, start_month: '2025-01', rows_per_day: 3, seed: 4 };
const rowsOf = (month: string) => OPTIONS.accounts * OPTIONS.rows_per_day * (month === '2025-06' ? 18 : daysInMonth(month));
const MONTHS = ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'];

describe('retention, reported', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: the job and its tasks count the rows retention removed; retention_months per data source`, async () => {
      const t = await openTestApp(backend, { env: { COSTSYNC_RETENTION_MONTHS: '2' } });
      t.ctx.engine.start();
      try {
        const admin = await t.token({ domainId: 'domain-retention', role: 'DOMAIN_ADMIN' });
        const refused = await t.post('/cost-analysis/v1/data-source/register', admin, {
          name: 'bad',
          plugin_info: { plugin_id: 'synthetic', options: OPTIONS },
          retention_months: -1,
        });
        assert.equal(errorOf(refused).code, 'ERROR_INVALID_PARAMETER', refused.text);
        const ds = await t.post('/cost-analysis/v1/data-source/register', admin, {
          name: 'history',
          plugin_info: { plugin_id: 'synthetic', options: OPTIONS },
        });
        assert.equal(ds.status, 200, ds.text);
        const id = ds.body.data_source_id;

        const sync = async () => {
          const started = await t.post('/cost-analysis/v1/data-source/sync', admin, { data_source_id: id });
          assert.equal(started.status, 200, started.text);
          assert.equal((await t.ctx.engine.waitForJob(started.body.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
          const job = (await t.post('/cost-analysis/v1/job/get', admin, { job_id: started.body.job_id })).body;
          const tasks = (await t.post('/cost-analysis/v1/job-task/list', admin, { job_id: job.job_id })).body.results;
          const published = (await t.post('/cost-analysis/v1/cost/list', admin, { data_source_id: id, query: { count_only: true } })).body
            .total_count;
          return { job, tasks, published };
        };

        // The server keeps two months: April on (2025-06 − 2).
        const first = await sync();
        const removed = MONTHS.slice(0, 3).reduce((n, m) => n + rowsOf(m), 0);
        assert.equal(first.job.retention_deleted_count, removed);
        assert.equal(first.job.retained_from, '2025-04');
        const byMonth: Record<string, [number, number]> = {};
        for (const task of first.tasks) {
          const [created, gone] = byMonth[task.options.month] ?? [0, 0];
          byMonth[task.options.month] = [created + task.created_count, gone + (task.retention_deleted_count ?? 0)];
        }
        assert.deepEqual(
          byMonth,
          Object.fromEntries(MONTHS.map((m) => [m, [rowsOf(m), m < '2025-04' ? rowsOf(m) : 0]])),
          'each task counts its own rows that retention removed',
        );
        assert.equal(
          first.published,
          MONTHS.slice(3).reduce((n, m) => n + rowsOf(m), 0),
        );
        assert.match(
          retentionNote(first.job),
          new RegExp(`retention removed ${removed.toLocaleString('en-US')} rows billed before 2025-04`),
        );

        // This data source keeps everything: nothing is removed, every month is there.
        const kept = await t.post('/cost-analysis/v1/data-source/update', admin, { data_source_id: id, retention_months: 0 });
        assert.equal(kept.body.retention_months, 0);
        const second = await sync();
        assert.equal(second.job.retention_deleted_count, undefined, 'nothing removed: absent, as upstream answers');
        assert.equal(second.job.retained_from, undefined);
        assert.equal(
          second.published,
          MONTHS.reduce((n, m) => n + rowsOf(m), 0),
        );

        // null: back to the server's default.
        const back = await t.post('/cost-analysis/v1/data-source/update', admin, { data_source_id: id, retention_months: null });
        assert.equal(back.body.retention_months, undefined);
        const third = await sync();
        assert.equal(third.job.retention_deleted_count, removed);
      } finally {
        await t.close();
      }
    });
  }
});
