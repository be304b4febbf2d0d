import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * `costsync/sdk` stands alone: a process that imports it (and serves a plugin) loads the wire
 * module, the plugin types and gRPC — no database driver, no HTTP framework, no engine, API or
 * store code. What it loads is recorded by a resolve hook in that process.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');

function modulesLoadedBy(script: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'costsync-imports-'));
  const log = join(dir, 'imports.log');
  try {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        pathToFileURL(join(ROOT, 'test/fixtures/import-graph/register.mjs')).href,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: ROOT, env: { ...process.env, COSTSYNC_IMPORT_LOG: log }, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    return [...new Set(readFileSync(log, 'utf8').trim().split('\n'))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sdk = pathToFileURL(join(ROOT, 'src/sdk/index.ts')).href;

test('importing costsync/sdk and serving a plugin loads no database driver, Fastify, engine, API or store code', () => {
  const loaded = modulesLoadedBy(
    `const { servePlugin } = await import(${JSON.stringify(sdk)});
     const running = await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 0 });
     await running.stop();`,
  );
  const ours = loaded
    .filter((url) => url.startsWith(pathToFileURL(join(ROOT, 'src')).href))
    .map((url) => relative(ROOT, fileURLToPath(url)));
  const packages = [...new Set(loaded.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))].sort();
  assert.ok(ours.includes('src/sdk/serve.ts'), 'the probe did load the SDK');
  assert.deepEqual(
    ours.filter((file) => !/^src\/(sdk|wire|plugins\/plugin\.ts|domain|query\/input\.ts|config\/package-root\.ts)/.test(file)),
    [],
    'source files outside the SDK, the wire module and what they share',
  );
  for (const forbidden of ['pg', '@electric-sql/pglite', 'fastify', 'pino', 'commander', 'prom-client']) {
    assert.ok(!packages.includes(forbidden), `${forbidden} loaded (packages: ${packages.join(', ')})`);
  }
});

test('the probe sees what it should: importing the server loads the database driver and Fastify', () => {
  const loaded = modulesLoadedBy(`await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/app/open-app.ts')).href)});
    await import(${JSON.stringify(pathToFileURL(join(ROOT, 'src/api/rest/app.ts')).href)});`);
  assert.ok(loaded.some((url) => url.includes('/node_modules/pg/')));
  assert.ok(loaded.some((url) => url.includes('/node_modules/fastify/')));
});
