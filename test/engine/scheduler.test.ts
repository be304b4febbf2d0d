import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/app/logger.js';
import { runDueSchedules } from '../../src/engine/scheduler.js';
import type { SyncRequest } from '../../src/engine/types.js';
import type { DataSourceRow, JobRow } from '../../src/store/rows.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource } from '../helpers/engine-fixture.js';

/** The hour `offset` hours from now, UTC (0–23). */
const hourFromNow = (offset: number) => (new Date().getUTCHours() + offset + 24) % 24;

for (const backend of BACKENDS) {
  describe(`hourly scheduler (${backend})`, () => {
    let store: TestStore;
    const started: { id: string; mode: string }[] = [];
    const sync = async (dataSource: DataSourceRow, request: SyncRequest) => {
      started.push({ id: dataSource.data_source_id, mode: request.syncMode });
      return { job_id: 'job-000000000000' } as JobRow;
    };

    before(async () => { store = await openTestStore(backend); });
    after(async () => { await store.release(); });

    async function source(hour: number, createdHoursAgo: number, state = 'ENABLED'): Promise<string> {
      const ds = await insertDataSource(store.db, {}, { domainId: `domain-${backend}` });
      await store.db.query(
        `UPDATE data_source SET schedule_hour = $2, schedule_state = $3, created_at = now() - $4 * interval '1 hour' WHERE data_source_id = $1`,
        [ds.data_source_id, hour, state, createdHoursAgo],
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
      await runDueSchedules(store.db, sync, silentLogger);
      const ids = started.map((s) => s.id);
      assert.ok(ids.includes(missed), 'a slot missed three hours ago still runs');
      assert.ok(ids.includes(current), 'the current hour runs');
      assert.ok(!ids.includes(later), "a slot after the data source's creation, but not yet due, waits");
      assert.ok(!ids.includes(tooNew), 'a data source created after its slot waits for the next day');
      assert.ok(!ids.includes(disabled), 'a disabled schedule never runs');
      assert.ok(started.every((s) => s.mode === 'SCHEDULED'));

      started.length = 0;
      await runDueSchedules(store.db, sync, silentLogger);
      assert.deepEqual(started, [], 'a slot is started once');
    });

    it('two schedulers racing start each slot once', async () => {
      const id = await source(hourFromNow(-1), 30);
      started.length = 0;
      await Promise.all([runDueSchedules(store.db, sync, silentLogger), runDueSchedules(store.db, sync, silentLogger)]);
      assert.equal(started.filter((s) => s.id === id).length, 1);
    });

    it('midnight (hour 0) is a valid schedule', async () => {
      const id = await source(0, 48);
      started.length = 0;
      await runDueSchedules(store.db, sync, silentLogger);
      assert.ok(started.some((s) => s.id === id));
    });
  });
}
