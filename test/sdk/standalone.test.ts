import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { importOf, modulesLoadedBy, ROOT } from '../helpers/import-graph.js';

/**
 * `costsync/sdk` stands alone: a process that imports it (and serves a plugin) loads the wire
 * module, the plugin types and gRPC — no database driver, no HTTP framework, no engine, API or
 * store code. What it loads is recorded by a resolve hook in that process.
 */
const sdk = pathToFileURL(join(ROOT, 'src/sdk/index.ts')).href;

test('importing costsync/sdk and serving a plugin loads no database driver, Fastify, engine, API or store code', () => {
  const { ours, packages } = modulesLoadedBy(
    `const { servePlugin } = await import(${JSON.stringify(sdk)});
     const running = await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 0 });
     await running.stop();`,
  );
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
  const loaded = modulesLoadedBy(`${importOf('src/app/open-app.ts')}; ${importOf('src/api/rest/app.ts')};`).urls;
  assert.ok(loaded.some((url) => url.includes('/node_modules/pg/')));
  assert.ok(loaded.some((url) => url.includes('/node_modules/fastify/')));
});
