import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { satisfies } from 'semver';
import { withDeadline } from '../helpers/wait.js';

/**
 * The package as users get it: `npm pack` from this checkout (its prepack builds dist/),
 * installed into an empty folder from the tarball, then `npx costsync serve` run from there on
 * the Node that runs this test (CI runs the file on Node 20, 22 and 24). npm picks, of each
 * dependency's versions, one whose `engines` admit the Node installing it, so every dependency
 * it installed must admit it.
 */
const ROOT = join(import.meta.dirname, '../..');
const run = promisify(execFile);
/** npm and npx with this process's Node first on PATH, so that the package runs on it. */
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

interface Packed {
  readonly tarball: string;
  readonly files: string[];
}

describe('the npm package', () => {
  let work: string;
  let packed: Packed;
  let app: string;
  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'costsync-package-'));
    const { stdout } = await withDeadline(
      run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, env, maxBuffer: 64 << 20 }),
      300_000,
      'npm pack (with its prepack build)',
    );
    const [answer] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    packed = { tarball: join(work, answer.filename), files: answer.files.map((file) => file.path) };
    app = join(work, 'app');
    await withDeadline(
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--prefix', app, packed.tarball], { env, maxBuffer: 64 << 20 }),
      600_000,
      'npm install of the packed tarball into an empty folder',
    );
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  test('ships the built code, the license and what the server reads; no benchmarks, tests or sources maps point to', () => {
    const files = new Set(packed.files);
    for (const needed of [
      'LICENSE',
      'README.md',
      'dist/src/cli/main.js',
      'dist/src/sdk/index.d.ts',
      'dist/src/sdk/index.js',
      'migrations/001_init.sql',
    ]) {
      assert.ok(files.has(needed), `${needed} is in the package`);
    }
    assert.ok(
      packed.files.some((file) => file.startsWith('src/web/static/')),
      'the dashboard is in the package',
    );
    assert.deepEqual(
      packed.files.filter((file) => /^dist\/(bench|test)\/|\.ts$/.test(file) && !file.endsWith('.d.ts')),
      [],
      'no benchmark, test or TypeScript source',
    );
    const installed = join(app, 'node_modules/costsync');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    const targets = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(targets));
    for (const target of [...targets(manifest.bin), ...targets(manifest.exports)]) {
      assert.ok(existsSync(join(installed, target)), `${target}, named by package.json, exists`);
    }
    const maps = packed.files.filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(readFileSync(join(installed, map), 'utf8'));
      assert.equal(sourcesContent?.length, sources.length, `${map} carries the sources it maps to`);
    }
  });

  test('a plugin written with costsync/sdk imports it from the installed package', async () => {
    const script = "const sdk = await import('costsync/sdk'); console.log(typeof sdk.servePlugin, typeof sdk.PluginError);";
    const { stdout } = await withDeadline(
      run(process.execPath, ['--input-type=module', '-e', script], { cwd: app, env }),
      60_000,
      'importing costsync/sdk',
    );
    assert.equal(stdout.trim(), 'function function');
  });

  test(`every dependency npm installed supports the Node that installed it (${process.version})`, () => {
    const unsupported: string[] = [];
    const visit = (modules: string) => {
      if (!existsSync(modules)) return;
      for (const name of readdirSync(modules)) {
        if (name.startsWith('.')) continue;
        if (name.startsWith('@')) {
          for (const scoped of readdirSync(join(modules, name))) check(join(modules, name, scoped));
        } else check(join(modules, name));
      }
    };
    const check = (dir: string) => {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) return;
      const { name, version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (engines?.node && !satisfies(process.versions.node, engines.node))
        unsupported.push(`${name}@${version} needs node ${engines.node}`);
      visit(join(dir, 'node_modules'));
    };
    visit(join(app, 'node_modules'));
    assert.deepEqual([...new Set(unsupported)], []);
  });

  test('npx costsync serve, from the installed package, syncs its demo and answers the API and the dashboard', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const dataDir = join(work, 'data');
    const serve = spawn('npx', ['--no-install', 'costsync', 'serve'], {
      cwd: app,
      env: { ...env, COSTSYNC_DATA_DIR: dataDir, COSTSYNC_HTTP_PORT: String(port), COSTSYNC_GRPC_PORT: '0', COSTSYNC_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    // With JSON logs (not a terminal) the startup text is on stderr and the logs on stdout: both are read.
    let output = '';
    for (const stream of [serve.stdout, serve.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const demo = await withDeadline(
        new Promise<RegExpExecArray>((resolve, reject) => {
          const look = () => {
            const match = /demo: data source "demo" \(ds-[0-9a-f]{12}\) synced by job (job-[0-9a-f]{12}): SUCCESS/.exec(output);
            const token = /export COSTSYNC_TOKEN=(\S+)/.exec(output);
            if (match && token) resolve(Object.assign(match, { token: token[1] }));
          };
          serve.stdout.on('data', look);
          serve.stderr.on('data', look);
          serve.once('exit', (code) => reject(new Error(`costsync serve exited (${code}):\n${output}`)));
        }),
        120_000,
        'the installed costsync to sync its demo and print a token',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\noutput so far:\n${output}`);
      });
      const token = (demo as RegExpExecArray & { token: string }).token;
      const base = `http://127.0.0.1:${port}`;
      const answer = await fetch(`${base}/cost-analysis/v1/job/get`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ job_id: demo[1] }),
      });
      assert.equal(answer.status, 200, await answer.clone().text());
      assert.equal(((await answer.json()) as { status: string }).status, 'SUCCESS');
      const page = await fetch(`${base}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<html/i);
    } finally {
      if (serve.exitCode === null && serve.pid) process.kill(-serve.pid, 'SIGTERM');
      if (serve.exitCode === null)
        await withDeadline(new Promise((resolve) => serve.once('exit', resolve)), 30_000, 'costsync serve to stop');
    }
  });
});
