import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_ROWS_TEXT, startTestServer, type TestServer } from '../web/server.js';
import { runCli } from './run-cli.js';

/** The read and control commands against a running server, as tables and as JSON. */

const SLOW = { accounts: 1, months: 2, rows_per_day: 50, page_size: 5, page_delay_ms: 500, seed: 11 };

/** The columns of an aligned table: every line has the header's column starts. */
function columns(table: string): string[][] {
  const [header, ...lines] = table.trimEnd().split('\n');
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index!);
  return [header, ...lines].map((line) => starts.map((start, i) => line.slice(start, starts[i + 1]).trim()));
}

describe('costsync jobs, tasks, data-sources, job watch, job cancel', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    env = { COSTSYNC_URL: server.url, COSTSYNC_TOKEN: await server.token() };
  });
  after(() => server?.close());

  it('jobs: an aligned table, newest first; --json the API answer', async () => {
    const table = await runCli(['jobs'], env);
    assert.equal(table.code, 0, table.stderr);
    const [body, footer] = table.stdout.split(/\n(?=\d+ of \d+ jobs?\n)/);
    const rows = columns(body);
    assert.deepEqual(rows[0], ['JOB_ID', 'STATUS', 'DATA_SOURCE_ID', 'TASKS', 'ROWS', 'CREATED_AT', 'DURATION', 'ERROR']);
    assert.deepEqual(rows[1].slice(0, 5), [server.demoJob.job_id, 'SUCCESS', server.demoJob.data_source_id, '6/6', DEMO_ROWS_TEXT]);
    assert.match(footer, /^1 of 1 job\n$/);
    const json = await runCli(['jobs', '--json', '--status', 'SUCCESS'], { ...env });
    assert.deepEqual(
      JSON.parse(json.stdout).results.map((j: { job_id: string }) => j.job_id),
      [server.demoJob.job_id],
    );
  });

  it('tasks and data-sources: aligned tables', async () => {
    const tasks = await runCli(['tasks', server.demoJob.job_id], env);
    assert.equal(tasks.code, 0, tasks.stderr);
    const rows = columns(tasks.stdout.split('\n6 tasks')[0]);
    assert.equal(rows.length, 7);
    assert.ok(
      rows.slice(1).every((r) => r[1] === 'SUCCESS' && r[2] === '1'),
      tasks.stdout,
    );
    const sources = await runCli(['data-sources'], env);
    assert.match(sources.stdout, /\n1 data source\n$/);
    const [header, demo] = columns(sources.stdout.split('\n1 data source')[0]);
    assert.deepEqual(header, ['DATA_SOURCE_ID', 'NAME', 'PLUGIN', 'SCHEDULE', 'LAST_SYNCHRONIZED_AT', 'LAST_JOB', 'STATUS']);
    assert.deepEqual(
      [demo[0], demo[1], demo[2], demo[3], demo[5], demo[6]],
      [server.demoJob.data_source_id, 'demo', 'synthetic', 'daily 16:00 UTC', server.demoJob.job_id, 'SUCCESS'],
    );
  });

  it('job cancel ends a running job; job watch then reports it and exits 1', async () => {
    const id = await server.addDataSource('slow', SLOW);
    const [source] = await server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    const job = await server.ctx.engine.sync(source, { syncMode: 'MANUAL' });
    const cancel = await runCli(['job', 'cancel', job.job_id], env);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(
      cancel.stdout,
      new RegExp(`^job ${job.job_id} CANCELED at \\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} UTC; its rows were removed\\n$`),
    );
    const again = await runCli(['job', 'cancel', job.job_id], env);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /^costsync: ERROR_JOB_STATE: /);
    const watch = await runCli(['job', 'watch', job.job_id], env);
    assert.equal(watch.code, 1);
    assert.match(watch.stderr, new RegExp(`job ${job.job_id} CANCELED after `));
  });

  it('job watch follows a job to SUCCESS and exits 0', async () => {
    const watch = await runCli(['job', 'watch', server.demoJob.job_id], env);
    assert.equal(watch.code, 0, watch.stderr);
    assert.match(watch.stderr, new RegExp(`\\] 6/6 tasks  ${DEMO_ROWS_TEXT} rows  [\\d,]+ rows/s  SUCCESS\n`));
    assert.match(watch.stderr, new RegExp(`job ${server.demoJob.job_id} SUCCESS in .*: 6 tasks, ${DEMO_ROWS_TEXT} rows`));
  });

  it('--help on every command shows an example', async () => {
    const commands = [
      [],
      ['serve'],
      ['worker'],
      ['token'],
      ['sync'],
      ['jobs'],
      ['tasks'],
      ['data-sources'],
      ['job'],
      ['job', 'watch'],
      ['job', 'cancel'],
      ['apply'],
      ['data-source'],
      ['data-source', 'register'],
      ['data-source', 'update'],
      ['data-source', 'deregister'],
      ['data-source', 'verify'],
    ];
    for (const command of commands) {
      const help = await runCli([...command, '--help']);
      assert.equal(help.code, 0, command.join(' '));
      assert.match(help.stdout, /\nExamples?:\n {2}.*costsync /, `costsync ${command.join(' ')} --help`);
    }
  });
});
