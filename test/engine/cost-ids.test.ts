import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COST_ID_BLOCK_SIZE, CostIds } from '../../src/engine/cost-ids.js';
import { isId } from '../../src/domain/ids.js';
import { migrate } from '../../src/store/migrate.js';
import { BACKENDS, openTestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine } from '../helpers/engine-fixture.js';

/**
 * Cost ids never collide: every worker takes blocks of 65,536 from one sequence. Rows from
 * before the sequence existed (random ids) are renumbered below it by migration 008.
 */
describe('cost ids', () => {
  it('crosses blocks in ascending order, in the upstream form', async () => {
    const blocks = [7, 0x1234abcd];
    const ids = new CostIds(async () => blocks.shift()!);
    await ids.reserve(COST_ID_BLOCK_SIZE + 2);
    const taken = ids.take(COST_ID_BLOCK_SIZE + 2);
    assert.equal(taken[0], 'cost-000000070000');
    assert.equal(taken[COST_ID_BLOCK_SIZE - 1], 'cost-00000007ffff');
    assert.deepEqual(taken.slice(COST_ID_BLOCK_SIZE), ['cost-1234abcd0000', 'cost-1234abcd0001']);
    assert.ok(taken.every((id) => isId('cost', id)));
    assert.ok(
      taken.every((id, i) => i === 0 || taken[i - 1] < id),
      'ascending',
    );
    assert.throws(() => ids.take(COST_ID_BLOCK_SIZE), /reserved/, 'no id without a block');
  });

  for (const backend of BACKENDS) {
    it(`${backend}: two workers on one database never hand out the same id`, async () => {
      const store = await openTestStore(backend);
      try {
        const [a, b] = [CostIds.of(store.db), CostIds.of(store.db)];
        const seen = new Set<string>();
        for (let page = 0; page < 30; page++) {
          for (const ids of [a, b]) {
            await ids.reserve(5_000);
            for (const id of ids.take(5_000)) seen.add(id);
          }
        }
        assert.equal(seen.size, 2 * 30 * 5_000);
      } finally {
        await store.release();
      }
    });

    it(`${backend}: a sync's rows carry ids from the sequence's blocks, distinct, each block one task's and given out in order`, async () => {
      const store = await openTestStore(backend);
      const { engine } = makeTestEngine(store.db, { batchRows: 50, concurrency: 2 });
      try {
        // 3 tasks × 31 days × 40 rows, in pages of 25: several pages and batches per task.
        const source = await insertDataSource(store.db, {
          accounts: 3,
          months: 1,
          start_month: '2025-03',
          rows_per_day: 40,
          page_size: 25,
        });
        engine.start();
        const job = await engine.sync(source, { syncMode: 'MANUAL' });
        assert.equal((await engine.waitForJob(job.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
        const rows = await store.db.query<{ cost_id: string; job_task_id: string }>(
          'SELECT cost_id, job_task_id FROM cost WHERE job_id = $1 ORDER BY cost_id',
          [job.job_id],
        );
        assert.equal(rows.length, 3 * 31 * 40);
        assert.equal(new Set(rows.map((r) => r.cost_id)).size, rows.length, 'no id twice');
        const [{ last }] = await store.db.query<{ last: number }>('SELECT last_value::int AS last FROM cost_id_block');
        for (const { cost_id } of rows) {
          const block = Number.parseInt(cost_id.slice(5, 13), 16);
          assert.ok(
            isId('cost', cost_id) && block >= 1 && block <= last,
            `${cost_id}: not from a block the sequence handed out (≤ ${last})`,
          );
        }
        // Each block is one task's, used from its first place on without gaps: ids given out in order.
        const blocks = new Map<string, { task: string; places: number[] }>();
        for (const { cost_id, job_task_id } of rows) {
          const block = blocks.get(cost_id.slice(5, 13)) ?? { task: job_task_id, places: [] };
          assert.equal(block.task, job_task_id, `block ${cost_id.slice(5, 13)} shared by two tasks`);
          block.places.push(Number.parseInt(cost_id.slice(13), 16));
          blocks.set(cost_id.slice(5, 13), block);
        }
        for (const [block, { places }] of blocks) {
          assert.deepEqual(
            places.sort((a, b) => a - b),
            places.map((_, i) => i),
            `block ${block}: places 0…${places.length - 1}`,
          );
        }
        assert.equal(new Set([...blocks.values()].map((b) => b.task)).size, 3);
      } finally {
        await engine.stop();
        await store.release();
      }
    });

    it(`${backend}: migration 008 renumbers rows with random ids below the first new block, rows otherwise unchanged`, async () => {
      const store = await openTestStore(backend);
      try {
        const { db } = store;
        // Back to the schema before 008, holding rows with the ids random generation made,
        // among them the very ids the first blocks would produce.
        await db.query('DROP SEQUENCE cost_id_block');
        await db.query('DELETE FROM costsync_migration WHERE version = 8');
        const oldIds = ['cost-000000000000', 'cost-000000010000', 'cost-00000001ffff', 'cost-9f3a00c1d2e4', 'cost-ffffffffffff'];
        for (const [i, id] of oldIds.entries()) {
          await db.query(
            `INSERT INTO cost (cost_id, cost, data_source_id, job_id, job_task_id, domain_id, billed_year, billed_month, billed_date)
             VALUES ($1, $2, 'ds-000000000001', 'job-000000000001', 'job-task-000000000001', 'domain-1', '2025', '2025-01', '2025-01-02')`,
            [id, i + 0.25],
          );
        }
        assert.deepEqual(await migrate(db), [8]);

        const rows = await db.query<{ cost_id: string; cost: number }>('SELECT cost_id, cost FROM cost ORDER BY cost');
        assert.deepEqual(
          rows.map((r) => r.cost),
          [0.25, 1.25, 2.25, 3.25, 4.25],
        );
        assert.equal(new Set(rows.map((r) => r.cost_id)).size, oldIds.length);
        assert.ok(
          rows.every((r) => isId('cost', r.cost_id) && r.cost_id < 'cost-000000010000'),
          'all in block 0',
        );

        const ids = CostIds.of(db);
        await ids.reserve(10);
        const fresh = ids.take(10);
        assert.ok(
          fresh.every((id) => id >= 'cost-000000010000'),
          `new ids after the old rows: ${fresh[0]}`,
        );
        const clash = await db.query('SELECT 1 FROM cost WHERE cost_id = ANY($1)', [fresh]);
        assert.equal(clash.length, 0);
      } finally {
        await store.release();
      }
    });
  }
});
