import { spawn } from 'node:child_process';
import pg from 'pg';

/**
 * `npm test`: runs the test files given on the command line with node's test runner, on both
 * backends when a PostgreSQL server is reachable.
 *
 * - `COSTSYNC_TEST_DATABASE_URL` set (CI sets it): the server half must run; an unreachable
 *   server fails the run at once, before any test.
 * - unset: the default server (postgres://postgres@127.0.0.1:5432/test) is tried; without it
 *   the embedded half runs alone, and the run says so loudly before and after the results.
 *
 * The choice reaches the test files as `COSTSYNC_TEST_BACKENDS` (see helpers/backends.ts).
 * Arguments starting with `--` go to `node --test` (e.g. `--test-timeout`), the rest are files.
 */
const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

async function reachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

function banner(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '!'.repeat(width + 4);
  return ['', rule, ...lines.map((l) => `! ${l.padEnd(width)} !`), rule, ''].join('\n') + '\n';
}

const args = process.argv.slice(2);
const required = process.env.COSTSYNC_TEST_DATABASE_URL;
const url = required || DEFAULT_URL;
const failure = await reachable(url);
let warning: string | undefined;

if (failure && required) {
  process.stderr.write(
    banner([
      `COSTSYNC_TEST_DATABASE_URL=${url} is set, but that PostgreSQL server does not answer:`,
      failure,
      'Start the server (or fix the URL); unset the variable to run only the embedded half.',
    ]),
  );
  process.exit(1);
}
if (failure) {
  warning = banner([
    'THE POSTGRESQL HALF OF THE SUITE DID NOT RUN: only the embedded database (PGlite) was tested.',
    `No PostgreSQL server at ${url} (${failure}).`,
    'To run it: start a PostgreSQL server and set COSTSYNC_TEST_DATABASE_URL=postgres://user@host:port/database',
    '(a maintenance database; the tests create and drop their own databases there). CI always runs both.',
  ]);
  process.stderr.write(warning);
}

const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...args], {
  stdio: 'inherit',
  env: { ...process.env, COSTSYNC_TEST_DATABASE_URL: url, COSTSYNC_TEST_BACKENDS: failure ? 'pglite' : 'pglite,postgres' },
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
child.once('exit', (code, signal) => {
  if (warning) process.stderr.write(warning);
  process.exit(code ?? (signal ? 1 : 0));
});
