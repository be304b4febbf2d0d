import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { type AccessPolicy, makeAccessPolicy } from '../../src/plugins/access/policy.js';
import type { Struct } from '../../src/plugins/plugin.js';
import { BACKENDS } from '../helpers/backends.js';
import { loadAll, publishedSums } from '../helpers/export-sums.js';
import { awsCurFixture } from '../helpers/exports/aws-cur.js';
import { azureFixture } from '../helpers/exports/azure.js';
import { CONTAINERS, type ExportFixture, exportBytes } from '../helpers/exports/fixture.js';
import { focusFixture } from '../helpers/exports/focus.js';
import { gcpFixture } from '../helpers/exports/gcp.js';
import { ociFixture } from '../helpers/exports/oci.js';
import { startAzurite, startS3 } from '../helpers/object-servers.js';
import { rangeServer } from '../helpers/parquet-fixtures.js';

/**
 * Every format × every container × every location: each format's generated export (its
 * quirks included; test/helpers/exports/) written as CSV, gzip CSV, JSON lines and Parquet,
 * put on a local disk, an HTTP server, an S3-compatible server (s3rver) and Azure Blob
 * storage (Azurite) — all started here — loads with the exact row count and per-month,
 * per-account cost sums computed from the generated values. One sync per location goes
 * through the engine on each backend.
 */
const FIXTURES: Record<string, ExportFixture> = {
  focus: focusFixture(),
  'aws-cur legacy': awsCurFixture('legacy', 'amortized'),
  'aws-cur 2.0': awsCurFixture('cur2', 'unblended'),
  'azure EA': azureFixture('ea', 'billing'),
  'azure MCA': azureFixture('mca', 'pricing'),
  'gcp billing': gcpFixture('with_credits'),
  'oci cost report': ociFixture('my_cost'),
  // Overage lines are few: in JSON lines the others leave the column out, which is an empty value, not a missing column.
  'oci overage': ociFixture('my_cost_overage'),
};

/** Where the files are put: the key of a file becomes a URL a data source names. */
interface Location {
  readonly access: AccessPolicy;
  readonly secret: Struct;
  url(key: string): string;
  put(key: string, bytes: Buffer): Promise<void>;
  close(): Promise<void>;
}

const loopback = () => makeAccessPolicy({ fileRoots: [], hosts: ['127.0.0.1'] });

const LOCATIONS: Record<string, () => Promise<Location>> = {
  async file() {
    const dir = mkdtempSync(join(tmpdir(), 'costsync-matrix-'));
    return {
      access: makeAccessPolicy({ fileRoots: [dir], hosts: [] }),
      secret: {},
      url: (key) => pathToFileURL(join(dir, key)).href,
      async put(key, bytes) {
        mkdirSync(dirname(join(dir, key)), { recursive: true });
        writeFileSync(join(dir, key), bytes);
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  async http() {
    const files: Record<string, Buffer> = {};
    const server = await rangeServer(files);
    return {
      access: loopback(),
      secret: { headers: { authorization: 'Bearer exports-reader' } },
      url: (key) => `${server.base}/${key}`,
      async put(key, bytes) {
        files[`/${key}`] = bytes;
      },
      close: () => server.close(),
    };
  },
  async s3() {
    const server = await startS3('exports');
    return { access: loopback(), secret: server.secret, url: (key) => `s3://exports/${key}`, put: server.put, close: server.close };
  },
  async 'azure blob'() {
    const server = await startAzurite('exports');
    return { access: loopback(), secret: server.secret, url: (key) => `azblob://exports/${key}`, put: server.put, close: server.close };
  },
};

const keyOf = (format: string, container: string) => `${format.replaceAll(' ', '-')}/export.${container}`;

for (const [locationName, start] of Object.entries(LOCATIONS)) {
  describe(`exports from ${locationName}`, () => {
    let location: Location;
    before(async () => {
      location = await start();
      for (const [format, fixture] of Object.entries(FIXTURES)) {
        for (const container of CONTAINERS) await location.put(keyOf(format, container), exportBytes(fixture, container));
      }
    });
    after(() => location?.close());

    for (const [format, fixture] of Object.entries(FIXTURES)) {
      test(`${locationName}: ${format} as ${CONTAINERS.join(', ')} loads every row with its month and account sums`, async () => {
        for (const container of CONTAINERS) {
          const options = { ...fixture.options, base_url: location.url(keyOf(format, container)) };
          const loaded = await loadAll(fixture.plugin(location.access), options, location.secret);
          assert.equal(loaded.rows, fixture.expected.rows, `${format} ${container}: rows`);
          assert.deepEqual(loaded.sums, fixture.expected.sums, `${format} ${container}: sums per month and account`);
        }
      });
    }

    for (const backend of BACKENDS) {
      test(`${locationName}: a sync through the engine (${backend}) publishes the same sums`, async () => {
        const fixture = FIXTURES['aws-cur 2.0'];
        const base_url = [location.url(keyOf('aws-cur 2.0', 'parquet'))];
        const options = { ...fixture.options, base_url };
        const plugin = fixture.plugin(location.access);
        const published = await publishedSums(backend, fixture.pluginId, plugin, options, { secret: location.secret });
        assert.deepEqual(published, fixture.expected.sums);
      });
    }
  });
}
