import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importOf, modulesLoadedBy } from '../helpers/import-graph.js';

/**
 * The S3 and Azure Blob SDKs cost a process tens of MB of memory; a server or worker loads one
 * only when a data source reads from such a location (plugins/files/locations.ts).
 */
const S3 = '@aws-sdk/client-s3';
const AZURE = '@azure/storage-blob';

test('the server, the engine and the built-in plugins start without the S3 or Azure SDK', () => {
  const { packages } = modulesLoadedBy(
    `${importOf('src/app/open-app.ts')}; ${importOf('src/api/rest/app.ts')}; ${importOf('src/plugins/registry.ts')};`,
  );
  assert.ok(packages.includes('pg'), `the probe loaded the server (packages: ${packages.join(', ')})`);
  assert.ok(!packages.includes(S3) && !packages.includes(AZURE), `packages: ${packages.join(', ')}`);
});

for (const [location, sdk, other] of [
  ['s3://bills/focus/', S3, AZURE],
  ['azblob://bills/focus/', AZURE, S3],
  ['https://acme.blob.core.windows.net/bills/focus/', AZURE, S3],
]) {
  test(`reading ${location} loads ${sdk}, and only then`, () => {
    const { packages } = modulesLoadedBy(
      `const { storeFor } = ${importOf('src/plugins/files/locations.ts')};
       await storeFor(${JSON.stringify(location)}, { access: undefined, secret: {} }).catch(() => {});`,
    );
    assert.ok(packages.includes(sdk), `packages: ${packages.join(', ')}`);
    assert.ok(!packages.includes(other), `packages: ${packages.join(', ')}`);
  });
}
