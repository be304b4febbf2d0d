import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRestApp } from '../../src/api/rest/app.js';
import { dataSourceService } from '../../src/api/services/data-source-service.js';
import { makeLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { DEMO_ADMIN } from '../../src/cli/demo.js';
import { formatLogLine } from '../../src/cli/pretty-log.js';
import { loadConfig } from '../../src/config/config.js';
import { TEST_ACCESS_ENV, testClock } from '../helpers/engine-fixture.js';

describe('logs', () => {
  it("are JSON lines; a task's lines carry job_id and job_task_id; no secret or token appears", async () => {
    const lines: string[] = [];
    const log = makeLogger('debug', { write: (line: string) => void lines.push(line) });
    const ctx = await openApp(loadConfig({ COSTSYNC_DATA_DIR: 'memory://', COSTSYNC_SCHEDULER: '0', ...TEST_ACCESS_ENV }), {
      log,
      clock: testClock,
    });
    const app = buildRestApp(ctx);
    try {
      ctx.engine.start();
      const secret = 'hunter2-do-not-log';
      const ds = (await dataSourceService.register(ctx, DEMO_ADMIN, {
        name: 'with-secret',
        resource_group: 'DOMAIN',
        plugin_info: { plugin_id: 'synthetic', options: { accounts: 1, months: 2 }, secret_data: { api_key: secret } },
      })) as { data_source_id: string };
      const token = await issueToken(ctx.tokenKey, { domainId: DEMO_ADMIN.domainId, role: DEMO_ADMIN.role });
      const answer = await app.inject({
        method: 'POST',
        url: '/cost-analysis/v1/data-source/sync',
        headers: { authorization: `Bearer ${token}` },
        payload: { data_source_id: ds.data_source_id },
      });
      assert.equal(answer.statusCode, 200, answer.body);
      const job = await ctx.engine.waitForJob(answer.json().job_id);
      assert.equal(job.status, 'SUCCESS');

      const entries = lines.map((line) => JSON.parse(line));
      const finished = entries.filter((e) => e.msg === 'task finished');
      assert.equal(finished.length, 2);
      for (const entry of finished) {
        assert.equal(entry.job_id, job.job_id);
        assert.match(entry.job_task_id, /^job-task-[0-9a-f]{12}$/);
      }
      const requests = entries.filter((e) => e.url === '/cost-analysis/v1/data-source/sync');
      assert.equal(requests.length, 1, 'one line per request');
      assert.deepEqual(
        [requests[0].msg, requests[0].level, requests[0].status, requests[0].route],
        ['request', 20, 200, '/cost-analysis/v1/data-source/sync'],
        'at debug, with its status and route',
      );
      assert.ok(!entries.some((e) => e.msg === 'incoming request' || e.msg === 'request completed'));
      const all = lines.join('');
      assert.ok(!all.includes(secret), 'the plugin secret never appears');
      assert.ok(!all.includes(token), 'the bearer token never appears');
    } finally {
      await ctx.engine.stop();
      await app.close();
      await ctx.close();
    }
  });

  it('read well in a terminal: time, level, message, then the fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 4, 1, 14, 3, 22, 120),
      pid: 1,
      hostname: 'h',
      service: 'costsync',
      job_id: 'job-0a1b2c3d4e5f',
      job_task_id: 'job-task-0a1b2c3d4e5f',
      attempt: 2,
      error_code: 'ERROR_UNAVAILABLE',
      msg: 'transient plugin error, will retry: synthetic outage',
    });
    assert.equal(
      formatLogLine(line, false),
      '14:03:22.120 WARN  transient plugin error, will retry: synthetic outage job_id=job-0a1b2c3d4e5f ' +
        'job_task_id=job-task-0a1b2c3d4e5f attempt=2 error_code=ERROR_UNAVAILABLE\n',
    );
    assert.match(formatLogLine(line, true), /\x1b\[33mWARN \x1b\[0m/);
    assert.equal(formatLogLine('not json', false), 'not json\n');
  });
});
