import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { withDeadline } from '../helpers/wait.js';
import { startTestServer, type TestServer } from '../web/server.js';
import { connect } from '../../src/cli/remote.js';
import { CLI, runCli } from './run-cli.js';

/**
 * What the CLI does with a mistake, as a person trying it would make one: a wrong id is an
 * error (exit 1), not an empty table; bad flags are refused before anything is sent or saved;
 * a read command run from an empty folder leaves nothing behind; `serve` on a port that is
 * taken exits 1 saying which one.
 */
const VERSION = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version as string;

describe('costsync on mistakes', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let empty: string;
  before(async () => {
    server = await startTestServer();
    env = { COSTSYNC_URL: server.url, COSTSYNC_TOKEN: await server.token() };
    empty = mkdtempSync(join(tmpdir(), 'costsync-cli-'));
  });
  after(async () => {
    await server?.close();
    rmSync(empty, { recursive: true, force: true });
  });

  const jobCount = async () => (await server.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM job'))[0].n;

  it('--version prints the version', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag]);
      assert.equal(result.code, 0);
      assert.equal(result.stdout, `${VERSION}\n`);
    }
  });

  it('a job or data source that does not exist is an error, not an empty table', async () => {
    const tasks = await runCli(['tasks', 'job-000000000000'], env);
    assert.equal(tasks.code, 1);
    assert.equal(tasks.stdout, '');
    assert.match(tasks.stderr, /^costsync: ERROR_NOT_FOUND: .*job-000000000000/);
    const jobs = await runCli(['jobs', '--data-source', 'ds-000000000000'], env);
    assert.equal(jobs.code, 1);
    assert.match(jobs.stderr, /^costsync: ERROR_NOT_FOUND: .*ds-000000000000/);
  });

  it('--limit, --status and --start are checked before anything is sent: no job is made', async () => {
    const before = await jobCount();
    const cases: [string[], RegExp][] = [
      [['jobs', '--limit', 'abc'], /--limit must be a whole number from 1 to 1000 \(got "abc"\)/],
      [['jobs', '--limit', '0'], /--limit must be a whole number/],
      [['jobs', '--status', 'DONE'], /--status must be one of IN_PROGRESS, SUCCESS, FAILURE, TIMEOUT, CANCELED/],
      [
        ['sync', server.demoJob.data_source_id, '--start', '2026-13'],
        /--start must be a month as YYYY-MM, such as 2026-01 \(got "2026-13"\)/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, { ...env, COSTSYNC_URL: 'http://127.0.0.1:9' });
      assert.equal(result.code, 1, args.join(' '));
      assert.match(result.stderr, message);
    }
    assert.equal(await jobCount(), before);
  });

  it('a read command without a token, from an empty folder, says how to get one and creates nothing', async () => {
    const result = await runCli(['jobs'], { COSTSYNC_URL: server.url, COSTSYNC_TOKEN: '', COSTSYNC_DATA_DIR: '' }, empty);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^costsync: ERROR_AUTHENTICATE_FAILURE: no token: pass --token or set COSTSYNC_TOKEN/);
    assert.match(result.stderr, /\.costsync has no token\.key/);
    assert.deepEqual(readdirSync(empty), []);
  });

  it('serve on a port that is taken exits 1, naming the port and the setting', async () => {
    const blocker = createServer();
    await withDeadline(new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve)), 10_000, 'a port to take');
    const { port } = blocker.address() as { port: number };
    const data = mkdtempSync(join(tmpdir(), 'costsync-serve-'));
    try {
      const serve = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
        env: { ...process.env, COSTSYNC_DATA_DIR: data, COSTSYNC_HTTP_PORT: String(port), COSTSYNC_GRPC_PORT: '0', COSTSYNC_DEMO: '0' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      serve.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const [code] = await withDeadline(once(serve, 'exit'), 60_000, 'costsync serve to exit on a taken port').catch((error) => {
        serve.kill('SIGKILL');
        throw error;
      });
      assert.equal(code, 1, stderr);
      assert.match(
        stderr,
        new RegExp(`costsync: cannot serve the REST API on 127\\.0\\.0\\.1:${port} \\(COSTSYNC_HTTP_PORT\\): the port is already in use`),
      );
    } finally {
      blocker.close();
      rmSync(data, { recursive: true, force: true });
    }
  });
});

describe('hints', () => {
  it('name the --url in use, and none when it is the default', async () => {
    const elsewhere = await connect({ url: 'http://costsync.internal:9090/', token: 'a-token' });
    assert.equal(elsewhere.hint('job cancel job-0a1b2c3d4e5f'), 'costsync job cancel job-0a1b2c3d4e5f --url http://costsync.internal:9090');
    const local = await connect({ token: 'a-token' });
    assert.equal(local.hint('job cancel job-0a1b2c3d4e5f'), 'costsync job cancel job-0a1b2c3d4e5f');
  });
});
