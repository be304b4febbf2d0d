import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { type AccessPolicy, makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { STORE_KINDS, storeFor } from '../../src/plugins/files/locations.js';
import { parseLocation } from '../../src/plugins/files/store.js';
import { azureBlobFiles } from '../../src/plugins/files/stores/azure-blob.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import type { PluginError, Struct } from '../../src/plugins/plugin.js';
import { loadAll, sums } from '../helpers/export-sums.js';
import {
  AZURITE_ACCOUNT,
  type AzuriteServer,
  type ObjectServer,
  startAzurite,
  startConnectionCounter,
  startS3,
} from '../helpers/object-servers.js';
import { withDeadline } from '../helpers/wait.js';

/**
 * Object-storage locations against real servers started here on loopback (s3rver for S3,
 * Azurite for Azure Blob): FOCUS exports put with the vendor's SDK load with exact rows and
 * sums, one file or a whole prefix; range reads, refused credentials, a loopback endpoint the operator did not
 * allow, a missing file and a cancelled read behave as a data source's owner would expect.
 * Every store runs the same checks.
 */
interface Backend {
  readonly name: string;
  start(): Promise<ObjectServer>;
  /** The location of `key` in the test bucket or container. */
  url(key: string): string;
  /** The server's secret, with credentials the server refuses, and the secret value that must not leak. */
  refused(secret: Struct): { secret: Struct; hidden: string };
  /** The server's secret, pointed at another endpoint. */
  at(secret: Struct, endpoint: string): Struct;
}

const WRONG_AZURE_KEY = Buffer.from('not the account key, but of the right length for one').toString('base64');

const BACKENDS: Backend[] = [
  {
    name: 's3',
    start: () => startS3('bills'),
    url: (key) => `s3://bills/${key}`,
    refused: (secret) => ({
      secret: { ...secret, aws_access_key_id: 'AKIANOTAKEY', aws_secret_access_key: 'wrong-s3-secret-9f2c' },
      hidden: 'wrong-s3-secret-9f2c',
    }),
    at: (secret, endpoint) => ({ ...secret, endpoint }),
  },
  {
    name: 'azure blob',
    start: () => startAzurite('bills'),
    url: (key) => `azblob://bills/${key}`,
    refused: (secret) => ({ secret: { ...secret, account_key: WRONG_AZURE_KEY }, hidden: WRONG_AZURE_KEY }),
    at: (secret, endpoint) => ({ ...secret, account_url: `${endpoint}/${AZURITE_ACCOUNT.name}` }),
  },
];

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
interface Line {
  readonly account: string;
  readonly day: string;
  readonly cost: number;
}
/** `n` lines of `month`, costs in cents varied by `seed`, the three accounts in turn. */
const lines = (month: string, n: number, seed: number): Line[] =>
  Array.from({ length: n }, (_, i) => ({
    account: ACCOUNTS[i % 3],
    day: `${month}-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`,
    cost: ((i * 7919 + seed * 104729) % 50_000) / 100,
  }));
const focusCsv = (list: Line[]) =>
  'BilledCost,BillingCurrency,ChargePeriodStart,SubAccountId,ServiceName\n' +
  list.map((l) => `${l.cost},USD,${l.day}T00:00:00Z,${l.account},Storage`).join('\n') +
  '\n';
const expected = (list: Line[]) => sums(list.map((l) => ({ cost: l.cost, month: l.day.slice(0, 7), account: l.account })));

const JULY = lines('2025-07', 120, 1);
const AUGUST_1 = lines('2025-08', 90, 2);
const AUGUST_2 = lines('2025-08', 40, 3);
const BIG = lines('2025-09', 40_000, 4);
const FILES: Record<string, Buffer> = {
  'focus/2025-07/costs.csv': Buffer.from(focusCsv(JULY)),
  'focus/2025-08/costs-1.csv.gz': gzipSync(focusCsv(AUGUST_1)),
  'focus/2025-08/costs-2.csv': Buffer.from(focusCsv(AUGUST_2)),
  'elsewhere/2025-07.csv': Buffer.from(focusCsv(lines('2025-07', 10, 5))),
  'big/2025-09.csv': Buffer.from(focusCsv(BIG)),
};

const allowed = () => makeAccessPolicy({ fileRoots: [], hosts: ['127.0.0.1'] });
const closed = () => makeAccessPolicy({ fileRoots: [], hosts: [] });
const never = () => new AbortController().signal;

for (const backend of BACKENDS) {
  describe(`${backend.name} locations (against a real server)`, () => {
    let server: ObjectServer;
    before(async () => {
      server = await backend.start();
      for (const [key, body] of Object.entries(FILES)) await server.put(key, body);
    });
    after(() => server?.close());

    test(`${backend.name}: one export file loads with its exact rows and per-month, per-account costs`, async () => {
      const loaded = await loadAll(makeFocusPlugin(allowed()), { base_url: backend.url('focus/2025-07/costs.csv') }, server.secret);
      assert.equal(loaded.rows, JULY.length);
      assert.deepEqual(loaded.sums, expected(JULY));
      const gzip = await loadAll(makeFocusPlugin(allowed()), { base_url: backend.url('focus/2025-08/costs-1.csv.gz') }, server.secret);
      assert.equal(gzip.rows, AUGUST_1.length);
      assert.deepEqual(gzip.sums, expected(AUGUST_1));
    });

    test(`${backend.name}: a prefix ending in / loads every file under it, plain and gzip, and nothing beside it`, async () => {
      const loaded = await loadAll(makeFocusPlugin(allowed()), { base_url: [backend.url('focus/')] }, server.secret);
      assert.deepEqual(loaded.files, [
        backend.url('focus/2025-07/costs.csv'),
        backend.url('focus/2025-08/costs-1.csv.gz'),
        backend.url('focus/2025-08/costs-2.csv'),
      ]);
      assert.equal(loaded.rows, JULY.length + AUGUST_1.length + AUGUST_2.length);
      assert.deepEqual(loaded.sums, expected([...JULY, ...AUGUST_1, ...AUGUST_2]));
    });

    test(`${backend.name}: a byte range reads exactly the bytes asked for`, async () => {
      const url = backend.url('focus/2025-08/costs-1.csv.gz');
      const store = await storeFor(url, { access: allowed(), secret: server.secret });
      const bytes = FILES['focus/2025-08/costs-1.csv.gz'];
      assert.equal(await store.size(url, never()), bytes.length);
      assert.deepEqual(Buffer.from(await store.range(url, 0, 2, never())), bytes.subarray(0, 2));
      assert.deepEqual(Buffer.from(await store.range(url, 100, 357, never())), bytes.subarray(100, 357));
      assert.deepEqual(Buffer.from(await store.range(url, bytes.length - 8, bytes.length, never())), bytes.subarray(-8));
      assert.equal((await store.range(url, 10, 10, never())).length, 0);
    });

    test(`${backend.name}: refused credentials fail as permission denied, and the message does not show the secret`, async () => {
      const { secret, hidden } = backend.refused(server.secret);
      await assert.rejects(loadAll(makeFocusPlugin(allowed()), { base_url: backend.url('focus/') }, secret), (error: PluginError) => {
        assert.equal(error.code, 'ERROR_PERMISSION_DENIED');
        assert.match(error.message, /the credentials in secret_data were refused/);
        assert.equal(error.transient, false);
        assert.ok(!error.message.includes(hidden), error.message);
        assert.ok(!(error.stack ?? '').includes(hidden));
        return true;
      });
    });

    test(`${backend.name}: an endpoint on a loopback address is refused before any request unless the operator allows it`, async () => {
      const counter = await startConnectionCounter();
      try {
        const secret = backend.at(server.secret, `http://127.0.0.1:${counter.port}`);
        const refusedAccess = (error: PluginError) => {
          assert.equal(error.code, 'ERROR_PERMISSION_DENIED');
          assert.match(error.message, /COSTSYNC_ALLOW_HOSTS/);
          return true;
        };
        await assert.rejects(loadAll(makeFocusPlugin(closed()), { base_url: backend.url('focus/') }, secret), refusedAccess);
        const url = backend.url('focus/2025-07/costs.csv');
        await assert.rejects(async () => (await storeFor(url, { access: closed(), secret })).size(url, never()), refusedAccess);
        assert.equal(counter.connections(), 0);
        // Allowed, the same endpoint is reached (and, answering nothing, is a failure worth retrying).
        await assert.rejects(
          async () => (await storeFor(url, { access: allowed(), secret })).size(url, never()),
          (error: PluginError) => {
            assert.equal(error.code, 'ERROR_UNAVAILABLE');
            assert.equal(error.transient, true);
            return true;
          },
        );
        assert.ok(counter.connections() > 0);
      } finally {
        await counter.close();
      }
    });

    test(`${backend.name}: a missing file fails as not found and is not retried`, async () => {
      const url = backend.url('focus/2025-07/missing.csv');
      const notFound = (error: PluginError) => {
        assert.equal(error.code, 'ERROR_UNKNOWN');
        assert.equal(error.message, `${url}: not found`);
        assert.equal(error.transient, false);
        return true;
      };
      await assert.rejects(loadAll(makeFocusPlugin(allowed()), { base_url: url }, server.secret), notFound);
      await assert.rejects(async () => (await storeFor(url, { access: allowed(), secret: server.secret })).size(url, never()), notFound);
    });

    test(`${backend.name}: cancelling a sync mid-file stops reading the file`, async () => {
      const url = backend.url('big/2025-09.csv');
      const plugin = makeFocusPlugin(allowed());
      const options = { base_url: url };
      const [task] = (await plugin.getTasks({ options, secret_data: server.secret, domain_id: 'd' })).tasks;
      const controller = new AbortController();
      const cancelled = new Error('the sync was cancelled');
      let rows = 0;
      const read = async () => {
        const request = { options, secret_data: server.secret, task_options: task.task_options, domain_id: 'd' };
        for await (const page of plugin.getData(request, controller.signal)) {
          rows += page.length;
          if (rows >= 1000) controller.abort(cancelled);
        }
      };
      await assert.rejects(withDeadline(read(), 30_000, 'the cancelled read'), (error) => error === cancelled);
      assert.ok(rows < BIG.length, `read ${rows} of ${BIG.length} rows after the cancel`);

      // The store's own stream is destroyed by the abort, not left to drain the rest of the file.
      const store = await storeFor(url, { access: allowed(), secret: server.secret });
      const reader = new AbortController();
      const stream = await store.open(url, reader.signal);
      const errors: unknown[] = [];
      stream.on('error', (error) => errors.push(error));
      await withDeadline(once(stream, 'readable'), 10_000, 'the first bytes of the file');
      reader.abort(cancelled);
      if (!stream.destroyed) await withDeadline(once(stream, 'close'), 10_000, 'the stream to close after the abort');
      assert.ok(
        errors.every((error) => error === cancelled),
        String(errors),
      );
      assert.equal(stream.destroyed, true);
    });
  });
}

describe('s3 credentials', () => {
  test("s3: credentials are required in secret_data; the server's own AWS credentials are never used", async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    try {
      for (const secret of [{}, { aws_access_key_id: 'S3RVER' }, { endpoint: 'http://127.0.0.1:9' }]) {
        await assert.rejects(loadAll(makeFocusPlugin(allowed()), { base_url: 's3://bills/focus/' }, secret), (error: PluginError) => {
          assert.equal(error.code, 'ERROR_REQUIRED_PARAMETER');
          assert.match(error.message, /secret_data\.aws_access_key_id, secret_data\.aws_secret_access_key/);
          return true;
        });
      }
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  test('s3: a named endpoint is connected to only through the access policy', async () => {
    const server = await startS3('named');
    try {
      await server.put('focus/2025-07.csv', focusCsv(JULY));
      const { counting, looked } = countingLookups(allowed());
      const secret = { ...server.secret, endpoint: server.endpoint.replace('127.0.0.1', 'localhost') };
      const loaded = await loadAll(makeFocusPlugin(counting), { base_url: 's3://named/focus/2025-07.csv' }, secret);
      assert.deepEqual(loaded.sums, expected(JULY));
      assert.ok(looked.includes('localhost'), `lookups: ${looked.join(', ')}`);
    } finally {
      await server.close();
    }
  });
});

describe('azure blob credentials and endpoints', () => {
  let server: AzuriteServer;
  before(async () => {
    server = await startAzurite('exports');
    await server.put('focus/2025-07.csv', focusCsv(JULY));
    await server.put('focus/2025-08.csv.gz', gzipSync(focusCsv(AUGUST_1)));
  });
  after(() => server?.close());
  const prefix = { base_url: 'azblob://exports/focus/' };
  const both = expected([...JULY, ...AUGUST_1]);

  test('azure blob: a connection string, or a SAS token, reads the container as the account key does', async () => {
    const connection_string = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT.name};AccountKey=${AZURITE_ACCOUNT.key};BlobEndpoint=${server.endpoint};`;
    assert.deepEqual((await loadAll(makeFocusPlugin(allowed()), prefix, { connection_string })).sums, both);
    const sas = generateBlobSASQueryParameters(
      { containerName: 'exports', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3_600_000) },
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.name, AZURITE_ACCOUNT.key),
    ).toString();
    const loaded = await loadAll(makeFocusPlugin(allowed()), prefix, { sas_token: `?${sas}`, account_url: server.endpoint });
    assert.equal(loaded.rows, JULY.length + AUGUST_1.length);
    assert.deepEqual(loaded.sums, both);
  });

  test('azure blob: without credentials an azblob:// location asks for them; a forged SAS is refused and not shown', async () => {
    await assert.rejects(loadAll(makeFocusPlugin(allowed()), prefix, { account_url: server.endpoint }), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_REQUIRED_PARAMETER');
      assert.match(error.message, /secret_data\.connection_string, or secret_data\.account_name and secret_data\.account_key/);
      return true;
    });
    const forged = { sas_token: 'sv=2020-08-04&sr=c&sp=rl&se=2099-01-01&sig=Zm9yZ2VkLXNpZ25hdHVyZQ%3D%3D', account_url: server.endpoint };
    await assert.rejects(loadAll(makeFocusPlugin(allowed()), prefix, forged), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_PERMISSION_DENIED', error.message);
      assert.match(error.message, /the credentials in secret_data were refused/);
      assert.ok(!error.message.includes('Zm9yZ2VkLXNpZ25hdHVyZQ'), error.message);
      return true;
    });
  });

  test('azure blob: https://<account>.blob.core.windows.net URLs are read as Azure Blob locations, other https URLs are not', () => {
    assert.deepEqual(parseLocation('https://acme.blob.core.windows.net/exports/focus/', STORE_KINDS).kind.schemes, azureBlobFiles.schemes);
    assert.notDeepEqual(parseLocation('https://exports.example.com/focus/2025-07.csv', STORE_KINDS).kind.schemes, azureBlobFiles.schemes);
    assert.notDeepEqual(parseLocation('http://acme.blob.core.windows.net/exports/x.csv', STORE_KINDS).kind.schemes, azureBlobFiles.schemes);
  });

  test('azure blob: an endpoint that redirects elsewhere is not followed, so the request goes nowhere else', async () => {
    const elsewhere = await startConnectionCounter();
    let redirects = 0;
    const redirector = createHttpServer((request, response) => {
      redirects++;
      response.writeHead(307, { location: `http://localhost:${elsewhere.port}${request.url}` }).end();
    });
    await withDeadline(new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve)), 10_000, 'the redirecting server');
    try {
      const { port } = redirector.address() as AddressInfo;
      const secret = { ...server.secret, account_url: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT.name}` };
      await assert.rejects(loadAll(makeFocusPlugin(allowed()), prefix, secret), (error: PluginError) => {
        assert.equal(error.code, 'ERROR_UNKNOWN');
        assert.match(error.message, /^azblob:\/\/exports\/focus\/: the endpoint redirected \(HTTP 307\) elsewhere, which is not followed$/);
        assert.equal(error.transient, false);
        return true;
      });
      assert.ok(redirects > 0);
      assert.equal(elsewhere.connections(), 0);
    } finally {
      await withDeadline(new Promise<void>((resolve) => redirector.close(() => resolve())), 10_000, 'the redirecting server closing');
      await elsewhere.close();
    }
  });

  test('azure blob: a named endpoint is connected to only through the access policy', async () => {
    const { counting, looked } = countingLookups(allowed());
    const secret = { ...server.secret, account_url: server.endpoint.replace('127.0.0.1', 'localhost') };
    assert.deepEqual((await loadAll(makeFocusPlugin(counting), prefix, secret)).sums, both);
    assert.ok(looked.includes('localhost'), `lookups: ${looked.join(', ')}`);
  });
});

/** The policy, recording every host name a connection looked up through it. */
function countingLookups(base: AccessPolicy): { counting: AccessPolicy; looked: string[] } {
  const looked: string[] = [];
  const counting: AccessPolicy = {
    ...base,
    lookup: (hostname, options, callback) => {
      looked.push(hostname);
      base.lookup(hostname, options, callback);
    },
  };
  return { counting, looked };
}
