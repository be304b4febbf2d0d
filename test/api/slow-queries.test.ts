import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildRestApp } from '../../src/api/rest/app.js';
import type { AppContext } from '../../src/app/context.js';
import { silentLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { HAS_SERVER, openTestStore, type TestStore } from '../helpers/backends.js';
import { insertDataSource, TEST_ACCESS_ENV, testClock } from '../helpers/engine-fixture.js';

/**
 * No request or tenant slows the others (PostgreSQL server, where the API and the workers have
 * pools of their own): ten heavy cost queries at once from one domain leave `/readyz`, another
 * domain's Job.list and a running sync untouched; a query past the API's time limit is a 503
 * with a code; a pattern that could take minutes to match is refused before it runs.
 */
const HEAVY = {
  query: {
    aggregate: [
      {
        group: {
          keys: ['billed_date', 'resource', 'tags.env', 'tags.team', 'region_code', 'usage_type'].map((key) => ({
            key,
            name: key.replace('.', '_'),
          })),
          fields: [{ key: 'cost', name: 'cost', operator: 'sum' }],
        },
      },
      { sort: { key: 'cost', desc: true } },
    ],
    page: { limit: 5 },
  },
};

if (HAS_SERVER) {
  describe('slow queries (postgres)', () => {
    let store: TestStore;
    let ctx: AppContext;
    let app: FastifyInstance;
    let heavySource: string;
    const tokens: Record<string, string> = {};

    before(async () => {
      store = await openTestStore('postgres');
      const config = loadConfig({
        COSTSYNC_DATA_DIR: 'memory://',
        COSTSYNC_DATABASE_URL: store.url!,
        COSTSYNC_SCHEDULER: '0',
        ...TEST_ACCESS_ENV,
        COSTSYNC_RETENTION_MONTHS: '0',
        COSTSYNC_API_QUERY_TIMEOUT_S: '2',
        COSTSYNC_API_POOL_SIZE: '6',
        COSTSYNC_API_POOL_WAIT_S: '3',
        COSTSYNC_API_COST_QUERIES: '3',
        COSTSYNC_API_COST_QUERIES_PER_DOMAIN: '2',
      });
      ctx = await openApp(config, { log: silentLogger, clock: testClock });
      ctx.engine.start();
      app = buildRestApp(ctx);
      await app.ready();
      for (const domain of ['domain-heavy', 'domain-calm'])
        tokens[domain] = await issueToken(ctx.tokenKey, { domainId: domain, role: 'DOMAIN_ADMIN' });
      // 2 accounts × 31 days × 2,500 rows: 155,000 published rows for the heavy domain.
      const source = await insertDataSource(
        ctx.db,
        { accounts: 2, months: 1, start_month: '2025-03', rows_per_day: 2500, seed: 71 },
        { domainId: 'domain-heavy' },
      );
      heavySource = source.data_source_id;
      const job = await ctx.engine.sync(source, { syncMode: 'MANUAL' });
      assert.equal((await ctx.engine.waitForJob(job.job_id, { timeoutMs: 120_000 })).status, 'SUCCESS');
    });
    after(async () => {
      await ctx?.engine.stop();
      await app?.close();
      await ctx?.close();
      await store?.release();
    });

    const post = async (url: string, domain: string, body: unknown) => {
      const response = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${tokens[domain]}` },
        payload: body as object,
      });
      return { status: response.statusCode, body: response.json() };
    };
    const timed = async <T>(run: () => Promise<T>) => {
      const started = Date.now();
      const value = await run();
      return { value, ms: Date.now() - started };
    };

    /**
     * Runs `work` while another session holds the cost table exclusively for `ms`: every cost
     * read waits (as it would behind a slow query or a huge scan) until its statement timeout.
     */
    const whileCostTableHeld = async <T>(ms: number, work: () => Promise<T>): Promise<T> => {
      let locked: () => void = () => {};
      const isLocked = new Promise<void>((resolve) => (locked = resolve));
      const holder = store.db.transaction(async (tx) => {
        await tx.query('LOCK TABLE cost IN ACCESS EXCLUSIVE MODE');
        locked();
        await new Promise((resolve) => setTimeout(resolve, ms));
      });
      await isLocked;
      try {
        return await work();
      } finally {
        await holder;
      }
    };

    it('ten heavy cost queries at once leave /readyz, another domain and a running sync untouched', async () => {
      const calmSource = await insertDataSource(
        ctx.db,
        { accounts: 1, months: 1, start_month: '2025-04', rows_per_day: 50, page_size: 50, page_delay_ms: 30, seed: 72 },
        { domainId: 'domain-calm' },
      );
      const calmJob = await ctx.engine.sync(calmSource, { syncMode: 'MANUAL' });
      const probes: { what: string; ms: number; status: number }[] = [];
      const answers = await whileCostTableHeld(4000, async () => {
        const storm = Promise.all(
          Array.from({ length: 10 }, () => post('/cost-analysis/v1/cost/stat', 'domain-heavy', { data_source_id: heavySource, ...HEAVY })),
        );
        for (let i = 0; i < 6; i++) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          const ready = await timed(() => app.inject({ method: 'GET', url: '/readyz' }));
          probes.push({ what: '/readyz', ms: ready.ms, status: ready.value.statusCode });
          const jobs = await timed(() => post('/cost-analysis/v1/job/list', 'domain-calm', {}));
          probes.push({ what: 'Job.list of another domain', ms: jobs.ms, status: jobs.value.status });
        }
        return storm;
      });
      for (const answer of answers) {
        assert.ok(
          answer.status === 200 || (answer.status === 503 && /^ERROR_(UNAVAILABLE|QUERY_TIMEOUT)$/.test(answer.body.detail.code)),
          JSON.stringify(answer.body),
        );
      }
      assert.ok(
        answers.some((a) => a.status === 503 && a.body.detail.code === 'ERROR_QUERY_TIMEOUT'),
        'a stuck query ends at the API time limit',
      );
      for (const probe of probes) {
        assert.equal(probe.status, 200, probe.what);
        assert.ok(probe.ms < 1000, `${probe.what} took ${probe.ms} ms during the storm`);
      }
      const calm = await ctx.engine.waitForJob(calmJob.job_id, { timeoutMs: 60_000 });
      assert.equal(calm.status, 'SUCCESS');
      const [task] = await ctx.db.query<{ attempt: number }>('SELECT attempt FROM job_task WHERE job_id = $1', [calmJob.job_id]);
      assert.equal(task.attempt, 1, 'the running task kept its lease');
      const after = await post('/cost-analysis/v1/cost/stat', 'domain-heavy', { data_source_id: heavySource, ...HEAVY });
      assert.equal(after.status, 200, 'heavy queries run again once the table is free');
    });

    it('a query past the API time limit is 503 ERROR_QUERY_TIMEOUT, never 500', async () => {
      const slow = await whileCostTableHeld(3000, () =>
        timed(() => post('/cost-analysis/v1/cost/list', 'domain-heavy', { data_source_id: heavySource, query: { page: { limit: 1 } } })),
      );
      assert.deepEqual([slow.value.status, slow.value.body.detail.code], [503, 'ERROR_QUERY_TIMEOUT']);
      assert.ok(slow.ms < 2900, `answered after ${slow.ms} ms, at the 2 s limit`);
    });

    it('a pattern that could take minutes to match is refused at once, naming it', async () => {
      const answer = await timed(() =>
        post('/cost-analysis/v1/cost/stat', 'domain-heavy', {
          data_source_id: heavySource,
          query: { filter: [{ k: 'resource', v: '(.*.*.*.*.*.*.*.*.*.*){50}z', o: 'regex' }], distinct: 'resource' },
        }),
      );
      assert.deepEqual([answer.value.status, answer.value.body.detail.code], [400, 'ERROR_INVALID_PARAMETER']);
      assert.match(answer.value.body.detail.message, /query\.filter\[0\]\.v.*a repeated group holds a repetition/);
      assert.ok(answer.ms < 1000, `refused after ${answer.ms} ms`);
    });
  });
}
