import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAwsCurPlugin } from '../../src/plugins/aws-cur/plugin.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import type { PluginError } from '../../src/plugins/plugin.js';
import { loadAll as load, sums } from '../helpers/export-sums.js';

/**
 * Where export files are found: folders, globs, report manifests (AWS legacy CUR, AWS Data
 * Exports, Azure exports) laid out as the providers write them, a sync's start skipping
 * periods without opening their files, and HTTP with headers from secret_data. The files are
 * generated here; expected sums are computed from the generated values.
 */
interface Line {
  account: string;
  day: string;
  cost: number;
}

function lines(month: string, count: number, scale: number): Line[] {
  return Array.from({ length: count }, (_, i) => ({
    account: ['111111111111', '222222222222'][i % 2],
    day: `${month}-${String(1 + (i % 28)).padStart(2, '0')}`,
    cost: Math.round(((i % 17) + 1) * scale * 1000) / 1000,
  }));
}

const focusCsv = (list: Line[]) =>
  `ChargePeriodStart,BilledCost,BillingCurrency,SubAccountId,ProviderName,ServiceName\n${list
    .map((l) => `${l.day}T00:00:00Z,${l.cost},USD,${l.account},AWS,Amazon EC2`)
    .join('\n')}\n`;

const curCsv = (list: Line[]) =>
  `identity/LineItemId,lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,lineItem/ProductCode,lineItem/CurrencyCode,lineItem/UnblendedCost\n${list
    .map((l, i) => `id-${i},${l.account},Usage,${l.day}T00:00:00Z,AmazonEC2,USD,${l.cost}`)
    .join('\n')}\n`;

const expected = (list: Line[]) => sums(list.map((l) => ({ cost: l.cost, month: l.day.slice(0, 7), account: l.account })));

describe('export files: folders, globs, manifests, HTTP headers', () => {
  let dir: string;
  const write = (path: string, content: string | Buffer) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  };
  const url = (path: string) => pathToFileURL(join(dir, path)).href.replace(/\/?$/, path.endsWith('/') ? '/' : '');
  const access = () => makeAccessPolicy({ fileRoots: [dir], hosts: ['127.0.0.1'] });

  const JULY = lines('2025-07', 60, 1);
  const AUGUST = lines('2025-08', 80, 2);
  const STALE = lines('2025-08', 80, 100);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-files-'));
    // A FOCUS export folder: two files, one gzip, and what export tools leave beside them.
    write('focus/part-0001.csv', focusCsv(JULY));
    write('focus/2025/part-0002.csv.gz', gzipSync(focusCsv(AUGUST)));
    write('focus/_SUCCESS', '');
    write('focus/.part-0001.csv.crc', 'binary\u0000crc');
    write('empty/.keep', '');

    // AWS legacy CUR: the period folder's manifest names the current assembly; an older
    // assembly (with its own manifest copy) stays beside it. July's manifest names a file
    // that is not there, so a sync that opened it would fail.
    const report = 'cur/prefix/report';
    write(
      `${report}/20250701-20250801/report-Manifest.json`,
      legacyManifest('20250701', '20250801', [`prefix/report/20250701-20250801/gone/report-1.csv.gz`]),
    );
    write(`${report}/20250801-20250901/aaaa/report-1.csv.gz`, gzipSync(curCsv(STALE)));
    write(
      `${report}/20250801-20250901/aaaa/report-Manifest.json`,
      legacyManifest('20250801', '20250901', ['prefix/report/20250801-20250901/aaaa/report-1.csv.gz']),
    );
    write(`${report}/20250801-20250901/bbbb/report-1.csv.gz`, gzipSync(curCsv(AUGUST.slice(0, 50))));
    write(`${report}/20250801-20250901/bbbb/report-2.csv.gz`, gzipSync(curCsv(AUGUST.slice(50))));
    write(
      `${report}/20250801-20250901/bbbb/report-Manifest.json`,
      legacyManifest('20250801', '20250901', [
        'prefix/report/20250801-20250901/bbbb/report-1.csv.gz',
        'prefix/report/20250801-20250901/bbbb/report-2.csv.gz',
      ]),
    );
    write(
      `${report}/20250801-20250901/report-Manifest.json`,
      legacyManifest('20250801', '20250901', [
        'prefix/report/20250801-20250901/bbbb/report-1.csv.gz',
        'prefix/report/20250801-20250901/bbbb/report-2.csv.gz',
      ]),
    );

    // AWS Data Exports (CUR 2.0): metadata/ holds the manifests, data/ the files, as s3:// URLs.
    const exportRoot = 'exports/costs';
    write(`${exportRoot}/data/BILLING_PERIOD=2025-07/costs-00001.csv.gz`, gzipSync(curCsv(JULY)));
    write(`${exportRoot}/data/BILLING_PERIOD=2025-08/costs-00001.csv.gz`, gzipSync(curCsv(AUGUST)));
    for (const [month, start, end] of [
      ['2025-07', '2025-07-01', '2025-08-01'],
      ['2025-08', '2025-08-01', '2025-09-01'],
    ]) {
      write(
        `${exportRoot}/metadata/BILLING_PERIOD=${month}/costs-Manifest.json`,
        JSON.stringify({
          billingPeriod: { start: `${start}T00:00:00.000Z`, end: `${end}T00:00:00.000Z` },
          dataFiles: [`s3://bucket/exports/costs/data/BILLING_PERIOD=${month}/costs-00001.csv.gz`],
        }),
      );
    }

    // An Azure FOCUS export run: manifest.json names its blobs from the container's root.
    write('azure/container/focus/20250801-20250831/run-1/part_0_0001.csv.gz', gzipSync(focusCsv(AUGUST)));
    write(
      'azure/container/focus/20250801-20250831/run-1/manifest.json',
      JSON.stringify({
        runInfo: { startDate: '2025-08-01T00:00:00', endDate: '2025-08-31T00:00:00' },
        blobs: [{ blobName: 'focus/20250801-20250831/run-1/part_0_0001.csv.gz', byteCount: 1 }],
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function legacyManifest(start: string, end: string, reportKeys: string[]) {
    return JSON.stringify({ bucket: 'bucket', billingPeriod: { start: `${start}T000000.000Z`, end: `${end}T000000.000Z` }, reportKeys });
  }

  test('a folder loads every file under it, gzip or plain, skipping marker and dot files', async () => {
    const loaded = await load(makeFocusPlugin(access()), { base_url: url('focus/') });
    assert.equal(loaded.rows, JULY.length + AUGUST.length);
    assert.deepEqual(loaded.sums, expected([...JULY, ...AUGUST]));
    assert.deepEqual(
      loaded.files.map((f) => f.slice(url('focus/').length)),
      ['2025/part-0002.csv.gz', 'part-0001.csv'],
    );
  });

  test('a glob picks the files it matches: * within a folder, ** across folders', async () => {
    const gz = await load(makeFocusPlugin(access()), { base_url: url('focus/**/*.gz') });
    assert.deepEqual(gz.sums, expected(AUGUST));
    const top = await load(makeFocusPlugin(access()), { base_url: url('focus/*.csv') });
    assert.deepEqual(top.sums, expected(JULY));
  });

  test('a folder with nothing to load, and an HTTP folder, are clear errors', async () => {
    await assert.rejects(load(makeFocusPlugin(access()), { base_url: url('empty/') }), (error: PluginError) => {
      assert.equal(error.code, 'ERROR_INVALID_PARAMETER');
      assert.match(error.message, /no files there/);
      return true;
    });
    await assert.rejects(
      load(makeFocusPlugin(access()), { base_url: 'http://127.0.0.1:9/bills/' }),
      /cannot be listed; name each file, or the report's CUR manifest/,
    );
  });

  test("a legacy CUR folder loads only the current assembly that the period's manifest names", async () => {
    const plugin = makeAwsCurPlugin(access());
    await assert.rejects(load(plugin, { base_url: url('cur/prefix/report/') }), /gone\/report-1\.csv\.gz: File not found/);
    const august = await load(plugin, { base_url: url('cur/prefix/report/') }, {}, '2025-08');
    assert.equal(august.rows, AUGUST.length);
    assert.deepEqual(august.sums, expected(AUGUST));
    assert.deepEqual(
      august.files.map((f) => f.split('/').slice(-2).join('/')),
      ['bbbb/report-1.csv.gz', 'bbbb/report-2.csv.gz'],
    );
  });

  test("a sync's start skips earlier periods without opening their files", async () => {
    // July's manifest names a missing file: only skipping it unread lets this sync succeed.
    const one = await load(
      makeAwsCurPlugin(access()),
      { base_url: url('cur/prefix/report/20250701-20250801/report-Manifest.json') },
      {},
      '2025-08',
    );
    assert.deepEqual(one, { sums: {}, rows: 0, files: [], months: [] });
  });

  test('AWS Data Exports manifests name s3:// files; a copied export keeps its layout and loads from disk', async () => {
    const loaded = await load(makeAwsCurPlugin(access()), { base_url: url('exports/costs/metadata/') });
    assert.deepEqual(loaded.sums, expected([...JULY, ...AUGUST]));
    assert.deepEqual(loaded.months, ['2025-07', '2025-08']);
    const august = await load(makeAwsCurPlugin(access()), { base_url: url('exports/costs/**/*-Manifest.json') }, {}, '2025-08');
    assert.deepEqual(august.months, ['2025-08']);
  });

  test("an Azure export's manifest.json names its blobs from the container's root", async () => {
    const loaded = await load(makeFocusPlugin(access()), { base_url: url('azure/container/focus/20250801-20250831/run-1/manifest.json') });
    assert.equal(loaded.rows, AUGUST.length);
    assert.deepEqual(loaded.sums, expected(AUGUST));
  });

  test('a row error in a large JSON lines file fails the task with that error, and nothing else', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) =>
      JSON.stringify({
        ChargePeriodStart: '2025-07-01T00:00:00Z',
        BilledCost: 1,
        BillingCurrency: i === 1 ? 'EUR' : 'USD',
        SubAccountId: 'a',
      }),
    );
    write('jsonl/big.jsonl.gz', gzipSync(`${rows.join('\n')}\n`));
    write('jsonl/big.jsonl', `${rows.join('\n')}\n`);
    for (const name of ['big.jsonl.gz', 'big.jsonl']) {
      await assert.rejects(load(makeFocusPlugin(access()), { base_url: url(`jsonl/${name}`) }), /row 2: BillingCurrency is EUR/);
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // an unheard stream error would surface here
  });

  describe('over HTTP', () => {
    let server: Server;
    let base: string;
    const TOKEN = 'Bearer s3cr3t-token-value';
    before(async () => {
      server = createServer((request, response) => {
        if (request.url === '/elsewhere') {
          response.writeHead(request.headers.authorization ? 400 : 200, { 'content-type': 'text/csv' });
          return response.end(focusCsv(JULY));
        }
        if (request.url === '/moved') {
          response.writeHead(302, { location: `http://localhost:${(server.address() as AddressInfo).port}/elsewhere` });
          return response.end();
        }
        if (request.headers.authorization !== TOKEN) {
          response.writeHead(401);
          return response.end();
        }
        const path = join(dir, decodeURIComponent(request.url ?? '/'));
        try {
          const body = readFileSync(path);
          response.writeHead(200);
          response.end(body);
        } catch {
          response.writeHead(404);
          response.end();
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    test('secret_data.headers are sent; without them the 401 is the error, never the header value', async () => {
      const options = { base_url: `${base}/exports/costs/metadata/BILLING_PERIOD=2025-08/costs-Manifest.json` };
      const loaded = await load(makeAwsCurPlugin(access()), options, { headers: { Authorization: TOKEN } });
      assert.deepEqual(loaded.sums, expected(AUGUST));
      await assert.rejects(load(makeAwsCurPlugin(access()), options), (error: PluginError) => {
        assert.match(error.message, /HTTP Error 401/);
        return true;
      });
      await assert.rejects(
        load(makeAwsCurPlugin(access()), options, { headers: { Authorization: 'Bearer wrong-value' } }),
        (error: PluginError) => !error.message.includes('wrong-value'),
      );
    });

    test('headers are dropped on a redirect to another origin', async () => {
      const loaded = await load(makeFocusPlugin(access()), { base_url: `${base}/moved` }, { headers: { Authorization: TOKEN } });
      assert.deepEqual(loaded.sums, expected(JULY));
    });

    test('malformed secret_data.headers are refused, naming the key', async () => {
      for (const headers of [['x'], { 'bad name': 'v' }, { 'X-Ok': 'two\r\nlines' }]) {
        await assert.rejects(load(makeFocusPlugin(access()), { base_url: `${base}/x.csv` }, { headers }), (error: PluginError) => {
          assert.equal(error.code, 'ERROR_INVALID_PARAMETER');
          assert.match(error.message, /secret_data\.headers/);
          return true;
        });
      }
    });
  });
});
