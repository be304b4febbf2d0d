import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BACKENDS } from '../helpers/backends.js';
import { openTestApp } from './harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody } from './world.js';

/**
 * Cost.analyze MONTHLY / YEARLY and Cost.stat by dimensions are answered from the monthly rollup,
 * DAILY and anything naming a per-row field from the rows. The two always agree when the engine
 * writes the rows (test/query/rollup-property.test.ts); here a row is changed behind the engine's
 * back, so the answers show which one each query read.
 */
describe('which cost queries read the monthly rollup', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: MONTHLY, YEARLY and dimension stats from the rollup; DAILY and per-row fields from the rows`, async () => {
      const t = await openTestApp(backend);
      try {
        const admin = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
        const ds = (await t.post('/cost-analysis/v1/data-source/register', admin, registerBody({ name: 'source' }))).body;
        const job = await insertJob(t, ds, 'SUCCESS', '2025-08-10T10:00:00Z');
        await insertCost(t, ds, job, '2025-08-01', 10); // summed into the rollup, as the engine would
        await t.db.query('UPDATE cost SET cost = 99 WHERE job_id = $1', [job.jobId]); // the rollup does not hear of it

        const analyze = async (granularity: string, start: string, end: string) => {
          const answer = await t.post('/cost-analysis/v1/cost/analyze', admin, {
            data_source_id: ds.data_source_id,
            query: { granularity, start, end, fields: { cost: { key: 'cost', operator: 'sum' } } },
          });
          assert.equal(answer.status, 200, answer.text);
          return answer.body.results[0]._total_cost;
        };
        assert.equal(await analyze('MONTHLY', '2025-08', '2025-08'), 10);
        assert.equal(await analyze('YEARLY', '2025', '2025'), 10);
        assert.equal(await analyze('DAILY', '2025-08-01', '2025-08-31'), 99);

        const stat = async (keys: string[]) => {
          const answer = await t.post('/cost-analysis/v1/cost/stat', admin, {
            data_source_id: ds.data_source_id,
            query: {
              aggregate: [
                { group: { keys: keys.map((key) => ({ key, name: key })), fields: [{ key: 'cost', operator: 'sum', name: 'cost' }] } },
              ],
            },
          });
          assert.equal(answer.status, 200, answer.text);
          return answer.body.results[0].cost;
        };
        assert.equal(await stat(['product']), 10);
        assert.equal(await stat(['resource']), 99);
      } finally {
        await t.close();
      }
    });
  }
});
