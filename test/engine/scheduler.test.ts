import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/app/logger.js';
import { runDueSchedules } from '../../src/engine/scheduler.js';
import type { SyncRequest } from '../../src/engine/types.js';
import type { DataSourceRow, JobRow } from '../../src/store/rows.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource } from '../helpers/engine-fixture.js';

/**
 * The scheduler's clock, on awkward days: just after midnight on the 1st of a month, a leap
 * day, the last minute of a year, and an ordinary afternoon.
 */
const NOWS = ['2028-03-01T00:05:00Z', '2028-02-29T12:00:00Z', '2026-12-31T23:59:00Z', '2025-06-18T15:30:00Z'].map((at) => new Date(at));

for (const backend of BACKENDS) {
  describe(`hourly scheduler (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(async () => {
      await store.release();
    });

    for (const now of NOWS)
      describe(`clock at ${now.toISOString()}`, () => {
        /** The hour `offset` hours from the clock's, UTC (0–23). */
        const hourFromNow = (offset: number) => (now.getUTCHours() + offset + 24) % 24;
        const started: { id: string; mode: string }[] = [];
        const sync = async (dataSource: DataSourceRow, request: SyncRequest) => {
          started.push({ id: dataSource.data_source_id, mode: request.syncMode });
          return { job_id: 'job-000000000000' } as JobRow;
        };
        const run = () => runDueSchedules(store.db, sync, silentLogger, now);

        async function source(hour: number, createdHoursAgo: number, state = 'ENABLED'): Promise<string> {
          const ds = await insertDataSource(store.db, {}, { domainId: `domain-${backend}` });
          await store.db.query(
            `UPDATE data_source SET schedule_hour = $2, schedule_state = $3, created_at = $5::timestamptz - $4 * interval '1 hour' WHERE data_source_id = $1`,
            [ds.data_source_id, hour, state, createdHoursAgo, now],
          );
          return ds.data_source_id;
        }

        it('starts a sync for the slot that passed while nothing ran, once, as SCHEDULED', async () => {
          const missed = await source(hourFromNow(-3), 48);
          const current = await source(hourFromNow(0), 48);
          const later = await source(hourFromNow(2), 2);
          const tooNew = await source(hourFromNow(-1), 0.5);
          const disabled = await source(hourFromNow(0), 48, 'DISABLED');
          started.length = 0;
          await run();
          const ids = started.map((s) => s.id);
          assert.ok(ids.includes(missed), 'a slot missed three hours ago still runs');
          assert.ok(ids.includes(current), 'the current hour runs');
          assert.ok(!ids.includes(later), "a slot after the data source's creation, but not yet due, waits");
          assert.ok(!ids.includes(tooNew), 'a data source created after its slot waits for the next day');
          assert.ok(!ids.includes(disabled), 'a disabled schedule never runs');
          assert.ok(started.every((s) => s.mode === 'SCHEDULED'));

          started.length = 0;
          await run();
          assert.deepEqual(started, [], 'a slot is started once');
        });

        it('two schedulers racing start each slot once', async () => {
          const id = await source(hourFromNow(-1), 30);
          started.length = 0;
          await Promise.all([run(), run()]);
          assert.equal(started.filter((s) => s.id === id).length, 1);
        });

        it('midnight (hour 0) is a valid schedule', async () => {
          const id = await source(0, 48);
          started.length = 0;
          await run();
          assert.ok(started.some((s) => s.id === id));
        });
      });
  });
}
