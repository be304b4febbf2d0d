import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAwsCurPlugin } from '../../src/plugins/aws-cur/plugin.js';
import { storeFor } from '../../src/plugins/files/locations.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import type { PluginError, Struct } from '../../src/plugins/plugin.js';
import { loadAll as load, sums } from '../helpers/export-sums.js';

/**
 * `s3://` locations against a real S3-compatible server (s3rver, started here on loopback):
 * files, prefixes and a Data Exports manifest load with exact sums; credentials stay in
 * secret_data and out of every message; the endpoint passes the access policy.
 */
const KEY_ID = 'S3RVER';
const SECRET = 'S3RVER';

interface Line {
  account: string;
  day: string;
  cost: number;
}
const lines = (month: string, n: number): Line[] =>
  Array.from({ length: n }, (_, i) => ({
    account: ['111111111111', '222222222222', '333333333333'][i % 3],
    day: `${month}-${String(1 + (i % 28)).padStart(2, '0')}`,
    cost: ((i % 11) + 1) / 4,
  }));
const focusCsv = (list: Line[]) =>
  `ChargePeriodStart,BilledCost,BillingCurrency,SubAccountId\n${list.map((l) => `${l.day}T00:00:00Z,${l.cost},USD,${l.account}`).join('\n')}\n`;
const curCsv = (list: Line[]) =>
  `lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/CurrencyCode,lineItem/UnblendedCost\n${list
    .map((l) => `${l.account},Usage,${l.day}T00:00:00Z,USD,${l.cost}`)
    .join('\n')}\n`;
const expected = (list: Line[]) => sums(list.map((l) => ({ cost: l.cost, month: l.day.slice(0, 7), account: l.account })));

describe('s3:// locations (against s3rver)', () => {
  let dir: string;
  let server: S3rver;
  let secret: Struct;
  const JULY = lines('2025-07', 150);
  const AUGUST = lines('2025-08', 210);
  const allowed = () => makeAccessPolicy({ fileRoots: [], hosts: ['127.0.0.1'] });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-s3-'));
    server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: 'bills' }] });
    const { port } = (await server.run()) as AddressInfo;
    secret = { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET, endpoint: `http://127.0.0.1:${port}` };
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    });
    const put = (key: string, body: string | Buffer) => client.send(new PutObjectCommand({ Bucket: 'bills', Key: key, Body: body }));
    await put('focus/2025-07.csv', focusCsv(JULY));
    await put('focus/2025/08/part-1.csv.gz', gzipSync(focusCsv(AUGUST)));
    await put('exports/costs/data/BILLING_PERIOD=2025-08/costs-00001.csv.gz', gzipSync(curCsv(AUGUST)));
    await put(
      'exports/costs/metadata/BILLING_PERIOD=2025-08/costs-Manifest.json',
      JSON.stringify({
        billingPeriod: { start: '2025-08-01T00:00:00.000Z', end: '2025-09-01T00:00:00.000Z' },
        dataFiles: ['s3://bills/exports/costs/data/BILLING_PERIOD=2025-08/costs-00001.csv.gz'],
      }),
    );
    client.destroy();
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a file and a prefix load with exact rows and per-month, per-account sums', async () => {
    const one = await load(makeFocusPlugin(allowed()), { base_url: 's3://bills/focus/2025-07.csv' }, secret);
    assert.equal(one.rows, JULY.length);
    assert.deepEqual(one.sums, expected(JULY));
    const prefix = await load(makeFocusPlugin(allowed()), { base_url: ['s3://bills/focus/'] }, secret);
    assert.equal(prefix.rows, JULY.length + AUGUST.length);
    assert.deepEqual(prefix.sums, expected([...JULY, ...AUGUST]));
    assert.deepEqual([...new Set(prefix.files)], ['s3://bills/focus/2025/08/part-1.csv.gz', 's3://bills/focus/2025-07.csv']);
  });

  test('a Data Exports manifest in the bucket names its s3:// files', async () => {
    const loaded = await load(makeAwsCurPlugin(allowed()), { base_url: 's3://bills/exports/costs/metadata/' }, secret);
    assert.deepEqual(loaded.sums, expected(AUGUST));
  });

  test('range reads return the bytes asked for', async () => {
    const store = await storeFor('s3://bills/focus/2025-07.csv', { access: allowed(), secret });
    const size = await store.size('s3://bills/focus/2025-07.csv', new AbortController().signal);
    assert.equal(size, Buffer.byteLength(focusCsv(JULY)));
    const bytes = await store.range('s3://bills/focus/2025-07.csv', 0, 17, new AbortController().signal);
    assert.equal(Buffer.from(bytes).toString(), 'ChargePeriodStart');
  });

  test('wrong credentials are refused without the secret in the message; a missing key is not found, not transient', async () => {
    const wrong = { ...secret, aws_access_key_id: 'NOT-A-KEY', aws_secret_access_key: 'definitely-wrong-secret' };
    await assert.rejects(load(makeFocusPlugin(allowed()), { base_url: 's3://bills/focus/2025-07.csv' }, wrong), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_PERMISSION_DENIED');
      assert.match(error.message, /credentials in secret_data were refused/);
      assert.ok(!error.message.includes('definitely-wrong-secret'));
      return true;
    });
    await assert.rejects(load(makeFocusPlugin(allowed()), { base_url: 's3://bills/focus/nope.csv' }, secret), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_UNKNOWN');
      assert.match(error.message, /s3:\/\/bills\/focus\/nope\.csv: not found/);
      assert.equal(error.transient, false);
      return true;
    });
  });

  test('credentials are required, and a loopback endpoint needs the operator to allow it', async () => {
    await assert.rejects(load(makeFocusPlugin(allowed()), { base_url: 's3://bills/focus/' }, {}), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_REQUIRED_PARAMETER');
      assert.match(error.message, /secret_data\.aws_access_key_id/);
      return true;
    });
    const closed = makeAccessPolicy({ fileRoots: [], hosts: [] });
    await assert.rejects(load(makeFocusPlugin(closed), { base_url: 's3://bills/focus/' }, secret), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_PERMISSION_DENIED');
      assert.match(error.message, /COSTSYNC_ALLOW_HOSTS/);
      return true;
    });
  });
});
