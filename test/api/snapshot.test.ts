import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { costService } from '../../src/api/services/cost-service.js';
import type { AppContext } from '../../src/app/context.js';
import type { Principal } from '../../src/auth/principal.js';
import type { Database, Queryable } from '../../src/store/database.js';
import type { DataSourceRow } from '../../src/store/rows.js';
import { BACKENDS, HAS_SERVER } from '../helpers/backends.js';
import { insertDataSource } from '../helpers/engine-fixture.js';
import { until } from '../helpers/wait.js';
import { openTestApp, type TestApp } from './harness.js';

/**
 * A list's page and its total_count, and a stat's results and its total_count, come from one
 * snapshot: a re-sync that publishes between the two reads changes neither.
 */
const ADMIN: Principal = { domainId: 'domain-test', role: 'DOMAIN_ADMIN' };

/** May 2025 (31 days), then May and June to the 18th (the test clock): two generations of different sizes. */
const FIRST = { accounts: 1, months: 1, start_month: '2025-05', rows_per_day: 2, seed: 61 };
const SECOND = { ...FIRST, months: 2 };

/** The database, with `between()` run (and awaited) right after the first read a request makes. */
function interrupting(db: Database, between: () => Promise<void>): Database {
  let fired = false;
  const after = async <T>(result: T, sql: string): Promise<T> => {
    if (!fired && !/^\s*SET\b/i.test(sql)) {
      fired = true;
      await between();
    }
    return result;
  };
  const wrap = (q: Queryable): Queryable => ({
    query: async (sql, params) => after(await q.query(sql, params), sql),
    copyFrom: (table, columns, text) => q.copyFrom(table, columns, text),
  });
  return Object.assign(Object.create(db) as Database, {
    query: (sql: string, params?: readonly unknown[]) => wrap(db).query(sql, params),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => db.transaction((tx) => fn(wrap(tx))),
  });
}

async function publish(t: TestApp, source: DataSourceRow, options: Record<string, unknown>): Promise<void> {
  const row = { ...source, plugin_info: { ...source.plugin_info!, options } };
  const job = await t.ctx.engine.sync(row, { syncMode: 'MANUAL' });
  const done = await t.ctx.engine.waitForJob(job.job_id, { timeoutMs: 30_000 });
  assert.equal(done.status, 'SUCCESS');
}

if (HAS_SERVER) {
  describe('list and stat answers are one snapshot (postgres: a re-sync commits between their reads)', () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp('postgres');
      t.ctx.engine.start();
    });
    after(() => t?.close());

    it('Cost.list: the page and total_count are of the same generation', async () => {
      const source = await insertDataSource(t.db, FIRST);
      await publish(t, source, FIRST);
      const ctx: AppContext = { ...t.ctx, db: interrupting(t.db, () => publish(t, source, SECOND)) };
      const answer = (await costService.list(ctx, ADMIN, {
        data_source_id: source.data_source_id,
        query: { page: { limit: 1000 } },
      })) as { results: unknown[]; total_count: number };
      assert.equal(answer.total_count, 31 * 2, 'the generation that was published when the request began');
      assert.equal(answer.results.length, answer.total_count);
    });

    it('Cost.stat: the results and total_count are of the same generation', async () => {
      const source = await insertDataSource(t.db, FIRST);
      await publish(t, source, FIRST);
      const ctx: AppContext = { ...t.ctx, db: interrupting(t.db, () => publish(t, source, SECOND)) };
      const answer = (await costService.stat(ctx, ADMIN, {
        data_source_id: source.data_source_id,
        query: { distinct: 'billed_date', page: { limit: 100 } },
      })) as { results: unknown[]; total_count: number };
      assert.equal(answer.results.length, 31);
      assert.equal(answer.total_count, 31);
    });
  });
}

for (const backend of BACKENDS) {
  describe(`list answers while re-syncs alternate (${backend})`, () => {
    let t: TestApp;
    before(async () => {
      t = await openTestApp(backend);
      t.ctx.engine.start();
    });
    after(() => t?.close());

    it('never pair one generation’s total_count with another’s rows', async () => {
      const source = await insertDataSource(t.db, FIRST);
      await publish(t, source, FIRST);
      let syncing = true;
      const resyncs = (async () => {
        for (let i = 0; i < 12; i++) await publish(t, source, i % 2 === 0 ? SECOND : FIRST);
        syncing = false;
      })();
      const token = await t.token({ domainId: ADMIN.domainId, role: 'DOMAIN_ADMIN' });
      let polls = 0;
      const poll = () =>
        until(
          'the re-syncs to finish, every answer consistent',
          async () => {
            const answer = await t.post('/cost-analysis/v1/cost/list', token, {
              data_source_id: source.data_source_id,
              query: { page: { limit: 1000 } },
            });
            polls++;
            assert.equal(answer.status, 200, answer.text);
            assert.ok([31 * 2, (31 + 18) * 2].includes(answer.body.total_count), `total_count ${answer.body.total_count}`);
            assert.equal(
              answer.body.results.length,
              answer.body.total_count,
              `poll ${polls}: a page of one generation, a count of another`,
            );
            return !syncing;
          },
          90_000,
          { everyMs: 0, rethrow: true },
        );
      await Promise.all([poll(), poll(), poll(), poll()]);
      await resyncs;
      assert.ok(polls > 10, `polled ${polls} times`);
    });
  });
}
