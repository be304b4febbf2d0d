import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { loadConfig } from '../../src/config/config.js';
import { updateDataSource } from '../../src/store/data-sources.js';
import type { DataSourceRow, JobRow } from '../../src/store/rows.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { killed, type ServerProcess, startServer } from '../helpers/cli-process.js';
import { until } from '../helpers/wait.js';

/**
 * A server killed while the plugin is still planning (inside a slow `get_tasks`) leaves a job
 * IN_PROGRESS that nobody will ever plan, and one running job per data source is the rule: until
 * something ends it, every sync of that data source answers 409 ERROR_DUPLICATE_JOB. Any other
 * process's reaper ends it after twice the plan timeout, so the data source is free again.
 */
const PLAN_TIMEOUT_S = 3;
const OPTIONS = { accounts: 1, months: 1, start_month: '2025-03', rows_per_day: 2, seed: 3 };
const SLOW_PLAN = { ...OPTIONS, plan_delay_ms: 600_000 };

describe('a server killed while planning', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: another process ends the job within twice the plan timeout; the data source syncs again`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'costsync-plan-'));
      const store: TestStore | undefined = backend === 'postgres' ? await openTestStore('postgres') : undefined;
      const env = {
        COSTSYNC_DATA_DIR: dataDir,
        COSTSYNC_PLAN_TIMEOUT_S: String(PLAN_TIMEOUT_S),
        COSTSYNC_SYNTHETIC_FAULTS: '1',
        COSTSYNC_SCHEDULER: '0',
        COSTSYNC_DEMO: '0',
        COSTSYNC_RETENTION_MONTHS: '0',
        ...(store ? { COSTSYNC_DATABASE_URL: store.url! } : {}),
      };
      let serve: ServerProcess | undefined;
      let ctx: Awaited<ReturnType<typeof openApp>> | undefined;
      try {
        serve = await startServer(dataDir, env);
        const { call } = serve;
        const ds = await call('/cost-analysis/v1/data-source/register', {
          name: 'slow plan',
          resource_group: 'DOMAIN',
          plugin_info: { plugin_id: 'synthetic', options: SLOW_PLAN },
        });
        // Answered only when planning ends, which it never does here.
        const syncing = call('/cost-analysis/v1/data-source/sync', { data_source_id: ds.data_source_id }).catch((error: Error) => error);
        const planning = await until('the sync to start planning', async () => {
          const jobs = await call('/cost-analysis/v1/job/list', { data_source_id: ds.data_source_id });
          return jobs.results[0] as { job_id: string; status: string } | undefined;
        });
        await killed(serve.child);
        assert.ok((await syncing) instanceof Error, 'the sync was never answered: its server died planning');
        assert.equal(planning.status, 'IN_PROGRESS');

        ctx = await openApp(loadConfig(env), { log: silentLogger });
        const app = ctx;
        const [stuck] = await app.db.query<JobRow>('SELECT * FROM job WHERE job_id = $1', [planning.job_id]);
        assert.equal(stuck.status, 'IN_PROGRESS', 'nothing ended the job while no process ran');
        assert.equal(stuck.planned, false);

        app.engine.start();
        const ended = await until(
          'a reaper to end the abandoned plan',
          async () => {
            const [job] = await app.db.query<JobRow>('SELECT * FROM job WHERE job_id = $1', [planning.job_id]);
            return job.status !== 'IN_PROGRESS' && job;
          },
          // twice the plan timeout from the job's creation, a reaper tick, and slack for a slow machine
          2 * PLAN_TIMEOUT_S * 1000 + 15_000,
        );
        assert.equal(ended.status, 'FAILURE');
        assert.equal(ended.error_code, 'ERROR_GET_JOB_TASKS');
        assert.match(ended.error_message ?? '', /Planning did not finish/);

        const [row] = await app.db.query<DataSourceRow>('SELECT * FROM data_source WHERE data_source_id = $1', [ds.data_source_id]);
        const fixed = await updateDataSource(app.db, ds.data_source_id, { plugin_info: { ...row.plugin_info!, options: OPTIONS } });
        const next = await app.engine.sync(fixed, { syncMode: 'MANUAL' });
        const done = await app.engine.waitForJob(next.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS', 'the data source accepts and runs a new sync');
        assert.equal(done.total_tasks, 1);
      } finally {
        if (serve) await killed(serve.child);
        if (ctx) {
          await ctx.engine.stop();
          await ctx.close();
        }
        await store?.release();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }
});
