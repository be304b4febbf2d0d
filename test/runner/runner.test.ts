import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';
import { HAS_SERVER, SERVER_URL } from '../helpers/backends.js';

/**
 * `npm test` itself (test/run.ts): a server named by COSTSYNC_TEST_DATABASE_URL must answer, or
 * the run fails before any test, saying which server and how to fix it; a server that answers
 * gives the test files both backends.
 */
const REPO = join(import.meta.dirname, '../..');
const FIXTURE = 'test/fixtures/runner/backends.test.ts';

function withoutTestContext(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _, ...rest } = env;
  return rest;
}

function runSuite(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/run.ts', '--test-reporter=spec', '--test-timeout=60000', FIXTURE], {
      // A test file's own environment says "inside the test runner"; the suite under test is a run of its own.
      cwd: REPO,
      env: { ...withoutTestContext(process.env), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

it('a named server that does not answer fails the run before any test, naming it', async () => {
  const url = 'postgres://postgres@127.0.0.1:1/test';
  const { code, output } = await runSuite({ COSTSYNC_TEST_DATABASE_URL: url });
  assert.equal(code, 1, output);
  assert.match(
    output,
    new RegExp(`COSTSYNC_TEST_DATABASE_URL=${url.replace(/[/.]/g, '\\$&')} is set, but that PostgreSQL server does not answer`),
  );
  assert.match(output, /ECONNREFUSED/);
  assert.doesNotMatch(output, /backends=/, 'no test ran');
});

if (HAS_SERVER)
  it('a server that answers gives the test files both backends', async () => {
    const { code, output } = await runSuite({ COSTSYNC_TEST_DATABASE_URL: SERVER_URL });
    assert.equal(code, 0, output);
    assert.match(output, /backends=pglite,postgres/);
    assert.doesNotMatch(output, /DID NOT RUN/);
  });
