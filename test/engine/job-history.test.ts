import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pruneHistory, vacuumIfEmbedded } from '../../src/engine/history.js';
import { until } from '../helpers/wait.js';
import { errorOf, openTestApp } from '../api/harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody } from '../api/world.js';
import { BACKENDS } from '../helpers/backends.js';

/**
 * Job history is kept COSTSYNC_JOB_HISTORY_DAYS (90 by default): older finished jobs leave the
 * job list with their tasks — but never a job whose rows are still published (its rows would
 * vanish with it), and never a data source's newest finished job (the answer to "how did the
 * last sync end"). Times are pinned: "now" is 2025-12-31.
 */
const NOW = new Date('2025-12-31T00:00:00Z');

describe('job history retention', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: deletes old finished jobs and their tasks, keeps those with published rows and each source's newest`, async () => {
      const t = await openTestApp(backend);
      try {
        const admin = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
        const register = async (name: string) => {
          const ds = await t.post('/cost-analysis/v1/data-source/register', admin, registerBody({ name }));
          assert.equal(ds.status, 200, ds.text);
          return ds.body;
        };
        const [busy, quiet] = [await register('busy'), await register('quiet')];
        const owner = await insertJob(t, busy, 'SUCCESS', '2025-03-01T10:00:00Z');
        await insertCost(t, busy, owner, '2025-02-01', 10);
        const failed = await insertJob(t, busy, 'FAILURE', '2025-03-02T10:00:00Z');
        const replaced = await insertJob(t, busy, 'SUCCESS', '2025-03-03T10:00:00Z');
        const recent = await insertJob(t, busy, 'SUCCESS', '2025-12-20T10:00:00Z');
        const running = await insertJob(t, busy, 'IN_PROGRESS', '2025-01-01T10:00:00Z');
        const lonely = await insertJob(t, quiet, 'SUCCESS', '2025-01-05T10:00:00Z');

        const jobIds = async () => {
          const list = await t.post('/cost-analysis/v1/job/list', admin, {});
          assert.equal(list.status, 200, list.text);
          return new Set(list.body.results.map((j: { job_id: string }) => j.job_id));
        };
        assert.equal((await jobIds()).size, 6);
        assert.equal(await pruneHistory(t.db, 0, NOW), 0, '0 keeps everything');
        assert.equal(await pruneHistory(t.db, 90, NOW), 2);
        assert.deepEqual(await jobIds(), new Set([owner.jobId, recent.jobId, running.jobId, lonely.jobId]));
        for (const gone of [failed, replaced]) {
          const got = await t.post('/cost-analysis/v1/job/get', admin, { job_id: gone.jobId });
          assert.equal(errorOf(got).code, 'ERROR_NOT_FOUND', got.text);
          const tasks = await t.post('/cost-analysis/v1/job-task/list', admin, { job_id: gone.jobId });
          assert.equal(tasks.body.total_count, 0, 'its tasks went with it');
        }
        const costs = await t.post('/cost-analysis/v1/cost/list', admin, { data_source_id: busy.data_source_id });
        assert.equal(costs.body.total_count, 1, 'the job whose row is published stays, and so does the row');

        // Once a later sync has replaced its rows, the old job goes too.
        await t.db.query('DELETE FROM cost WHERE job_id = $1', [owner.jobId]);
        await t.db.query('DELETE FROM cost_monthly WHERE job_id = $1', [owner.jobId]);
        assert.equal(await pruneHistory(t.db, 90, NOW), 1);
        assert.deepEqual(await jobIds(), new Set([recent.jobId, running.jobId, lonely.jobId]));
        await vacuumIfEmbedded(t.db);
        assert.equal(await pruneHistory(t.db, 90, NOW), 0, 'nothing more to delete');
      } finally {
        await t.close();
      }
    });
  }

  for (const backend of BACKENDS) {
    it(`${backend}: a running engine prunes on its own, by COSTSYNC_JOB_HISTORY_DAYS and its clock`, async () => {
      // testClock says 2025-06-18: 30 days of history keep jobs finished from 2025-05-19 on.
      const t = await openTestApp(backend, { env: { COSTSYNC_JOB_HISTORY_DAYS: '30' } });
      try {
        const admin = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
        const ds = (await t.post('/cost-analysis/v1/data-source/register', admin, registerBody({ name: 'pruned' }))).body;
        const old = await insertJob(t, ds, 'SUCCESS', '2025-04-01T10:00:00Z');
        const kept = await insertJob(t, ds, 'SUCCESS', '2025-05-20T10:00:00Z');
        t.ctx.engine.start();
        await until('the engine to delete the job older than 30 days', async () => {
          const got = await t.post('/cost-analysis/v1/job/get', admin, { job_id: old.jobId });
          return got.status !== 200;
        });
        assert.equal((await t.post('/cost-analysis/v1/job/get', admin, { job_id: kept.jobId })).status, 200);
      } finally {
        await t.close();
      }
    });
  }

  if (BACKENDS.includes('pglite'))
    it('pglite: after the vacuum, new jobs reuse the space deleted ones left (no autovacuum there)', async () => {
      const t = await openTestApp('pglite');
      try {
        const admin = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
        const ds = (await t.post('/cost-analysis/v1/data-source/register', admin, registerBody({ name: 'space' }))).body;
        const addJobs = (from: number) =>
          t.db.query(
            `INSERT INTO job (job_id, status, planned, deadline_at, resource_group, workspace_id, domain_id, data_source_id,
                              created_at, updated_at, finished_at)
             SELECT 'job-space' || lpad(i::text, 8, '0'), 'SUCCESS', true, now(), 'DOMAIN', '*', $1, $2,
                    timestamptz '2025-01-01' + i * interval '1 minute', now(), timestamptz '2025-01-01' + i * interval '1 minute'
               FROM generate_series($3::int, $3::int + 4999) AS i`,
            [DOMAIN_A, ds.data_source_id, from],
          );
        const size = async () => (await t.db.query<{ n: number }>(`SELECT pg_relation_size('job')::int AS n FROM job LIMIT 1`))[0].n;
        await addJobs(0);
        const first = await size();
        assert.equal(await pruneHistory(t.db, 90, NOW), 4999, 'all but the newest are old');
        await vacuumIfEmbedded(t.db);
        await addJobs(10_000);
        assert.ok((await size()) <= first * 1.1, `the table grew from ${first} to ${await size()} bytes`);
      } finally {
        await t.close();
      }
    });
});
