import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../web/server.js';
import { runCli, runCliInTerminal } from './run-cli.js';

/**
 * `costsync sync` as an operator runs it: in a terminal, a progress bar redrawn in place, and
 * an exit code a script can trust (0 only on SUCCESS).
 */

/** 2 tasks of 18 pages (June 1–18 on the test clock), 50 ms apart: several progress frames. */
const PACED = { accounts: 2, months: 1, rows_per_day: 20, page_size: 20, page_delay_ms: 50, seed: 7 };
const BROKEN = { accounts: 1, months: 2, fail_task: 1, page_size: 20, page_delay_ms: 20, seed: 8 };
const FRAME = /\r\x1b\[2K(\[[#.]{24}\] [^\r\n]*)/g;

describe('costsync sync', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    // Small fenced batches, so rows show up while a task runs, not only when it ends.
    server = await startTestServer({ COSTSYNC_BATCH_ROWS: '40' });
    env = { COSTSYNC_URL: server.url, COSTSYNC_TOKEN: await server.token() };
  });
  after(() => server?.close());

  it('in a terminal: redraws a progress bar with tasks, rows, rows/s and ETA, and exits 0 on SUCCESS', async () => {
    const id = await server.addDataSource('paced', PACED);
    const result = await runCliInTerminal(['sync', id], env);
    assert.equal(result.code, 0, result.stdout);
    const frames = [...result.stdout.matchAll(FRAME)].map((m) => m[1]);
    assert.ok(frames.length >= 3, `progress frames:\n${frames.join('\n')}`);
    const running = frames.filter((f) => f.endsWith('IN_PROGRESS'));
    assert.ok(running.length > 0, 'a frame while it runs');
    for (const frame of running)
      assert.match(
        frame,
        /^\[[#.]{24}\] (planning|[0-2]\/2 tasks) {2}[\d,]+ rows {2}[\d,]+ rows\/s( {2}ETA [\d.]+ (ms|s))? {2}IN_PROGRESS$/,
      );
    assert.ok(
      running.some((f) => !/ 0 rows /.test(f)),
      `rows counted while it runs:\n${running.join('\n')}`,
    );
    const last = frames[frames.length - 1];
    const [{ rows }] = await server.ctx.db.query<{ rows: number }>(
      `SELECT sum(created_count)::int AS rows FROM job_task WHERE data_source_id = $1`,
      [id],
    );
    assert.equal(last, `[${'#'.repeat(24)}] 2/2 tasks  ${rows.toLocaleString('en-US')} rows  ${last.split('  ')[2]}  SUCCESS`);
    assert.match(
      result.stdout,
      new RegExp(`job job-[0-9a-f]{12} SUCCESS in [\\d.]+ (ms|s): 2 tasks, ${rows.toLocaleString('en-US')} rows`),
    );
  });

  it('in a terminal: exits 1 when the job fails, naming the failed task and its error', async () => {
    const id = await server.addDataSource('broken', BROKEN);
    const result = await runCliInTerminal(['sync', id], env);
    assert.equal(result.code, 1, result.stdout);
    const frames = [...result.stdout.matchAll(FRAME)].map((m) => m[1]);
    assert.match(frames[frames.length - 1], / {2}FAILURE$/);
    assert.match(result.stdout, /job job-[0-9a-f]{12} FAILURE after [\d.]+ (ms|s): ERROR_JOB_TASK One or more job tasks have failed\./);
    assert.match(result.stdout, /job-task-[0-9a-f]{12} FAILURE: ERROR_SYNTHETIC_FAILURE task 1 fails by request/);
  });

  it('without a terminal: plain lines, no escape sequences; --json prints the job on stdout', async () => {
    const id = await server.addDataSource('piped', { ...PACED, seed: 9 });
    const result = await runCli(['sync', id, '--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /\x1b|\r/);
    assert.match(result.stderr, /^job job-[0-9a-f]{12} started for ds-[0-9a-f]{12}\n/);
    assert.match(result.stderr, /\] 2\/2 tasks {2}[\d,]+ rows {2}[\d,]+ rows\/s {2}SUCCESS\n/);
    const job = JSON.parse(result.stdout);
    assert.equal(job.status, 'SUCCESS');
    assert.equal(job.data_source_id, id);
  });

  it('says what is wrong when the server refuses, and exits 1', async () => {
    const result = await runCli(['sync', 'ds-000000000000'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^costsync: ERROR_NOT_FOUND: /);
  });
});
