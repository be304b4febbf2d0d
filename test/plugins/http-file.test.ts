import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeHttpFilePlugin } from '../../src/plugins/http-file/plugin.js';
import type { PluginError, CostInfo } from '../../src/plugins/plugin.js';

const FIXTURES = new URL('../fixtures/http-file/', import.meta.url);
const fixture = (name: string) => new URL(name, FIXTURES).href;
/** The fixtures, the files tests write and test servers on this machine. */
const plugin = makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [fileURLToPath(FIXTURES), tmpdir()], hosts: ['127.0.0.1'] }));

async function collect(options: Record<string, unknown>, url: string): Promise<CostInfo[][]> {
  const pages: CostInfo[][] = [];
  const request = { options, secret_data: {}, task_options: { base_url: url }, domain_id: 'd' };
  for await (const page of plugin.getData(request, new AbortController().signal)) pages.push(page);
  return pages;
}

describe('http-file plugin', () => {
  let dir: string;
  let server: Server;
  let base: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-http-file-'));
    server = createServer((req, res) => {
      if (req.url === '/slow.csv' || req.url === '/dropped.csv') {
        // The header and one row, then nothing more (slow) or a cut connection (dropped).
        res.setHeader('content-type', 'text/csv');
        res.write('cost,currency,billed_date\n1.5,USD,2025-08-09\n');
        if (req.url === '/dropped.csv') setTimeout(() => res.destroy(), 50);
      } else if (req.url === '/basic.csv') {
        res.setHeader('content-type', 'text/csv');
        res.end('\ufeffcost,currency,billed_date\n1.5,USD,2025-08-09\n');
      } else {
        res.statusCode = 404;
        res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('get_tasks: one task per URL, changed {start: 1900-01} per task; no base_url is ERROR_REQUIRED_PARAMETER', async () => {
    const [a, b] = [fixture('basic.csv'), fixture('mapped.csv')];
    const plan = await plugin.getTasks({ options: { base_url: [a, b] }, secret_data: {}, domain_id: 'd' });
    assert.deepEqual(plan.tasks, [{ task_options: { base_url: a } }, { task_options: { base_url: b } }]);
    assert.deepEqual(plan.changed, [{ start: '1900-01' }, { start: '1900-01' }]);
    await assert.rejects(
      plugin.getTasks({ options: {}, secret_data: {}, domain_id: 'd' }),
      (e: PluginError) => e.code === 'ERROR_REQUIRED_PARAMETER',
    );
  });

  test('3 rows: one page of 3, dates built from year/month/day (day defaults to 01)', async () => {
    const pages = await collect({}, fixture('basic.csv'));
    assert.equal(pages.length, 1);
    assert.deepEqual(
      pages[0].map((r) => [r.billed_date, r.cost, r.usage_quantity, r.provider, r.region_code, r.product]),
      [
        ['2025-08-01', 12.5, 3, 'aws', 'us-east-1', 'AmazonEC2'],
        ['2025-08-15', 0.75, 1, 'aws', 'eu-west-1', 'AmazonS3'],
        ['2025-08-01', 3, 0, 'google_cloud', 'asia-northeast3', 'Compute Engine'],
      ],
    );
  });

  test('field_mapper and default_vars; lenient billed_date; a non-numeric cost skips the row', async () => {
    const options = {
      field_mapper: {
        billed_date: 'Date',
        cost: 'Cost',
        product: 'Service',
        additional_info: { 'Account ID': 'Account ID' },
        tags: { env: 'Env' },
        data: { cpu_hours: 'CPU Hours' },
      },
      default_vars: { currency: 'USD', provider: 'aws' },
    };
    const [rows] = await collect(options, fixture('mapped.csv'));
    assert.deepEqual(rows, [
      {
        cost: 1.25,
        usage_quantity: 0,
        billed_date: '2025-08-01',
        resource: '',
        provider: 'aws',
        product: 'EC2',
        additional_info: { 'Account ID': '123456789012' },
        tags: { env: 'prod' },
        data: { cpu_hours: 4 },
      },
      {
        cost: 1000.5,
        usage_quantity: 0,
        billed_date: '2025-08-03',
        resource: '',
        provider: 'aws',
        product: 'S3',
        additional_info: { 'Account ID': '210987654321' },
        tags: { env: 'dev' },
        data: { cpu_hours: 0 },
      },
    ]);
  });

  test('1,000 rows: a page of 1,000 and an empty page; 1,001 rows: 1,000 and 1', async () => {
    for (const [count, sizes] of [
      [1000, [1000, 0]],
      [1001, [1000, 1]],
    ] as const) {
      const file = join(dir, `rows-${count}.csv`);
      writeFileSync(file, 'cost,currency,billed_date\n' + Array.from({ length: count }, (_, i) => `${i},USD,2025-08-01\n`).join(''));
      assert.deepEqual(
        (await collect({}, pathToFileURL(file).href)).map((p) => p.length),
        sizes,
      );
    }
  });

  test('bad rows are reported with their row number', async () => {
    await assert.rejects(
      collect({}, fixture('missing-date.csv')),
      (e: PluginError) => e.code === 'ERROR_EMPTY_BILLED_DATE' && /^row 2:/.test(e.message),
    );
    await assert.rejects(collect({}, fixture('ragged.csv')), (e: PluginError) => e.code === 'ERROR_INVALID_CSV' && /row 2/.test(e.message));
    await assert.rejects(
      collect({}, fixture('no-such-file.csv')),
      (e: PluginError) => e.code === 'ERROR_UNKNOWN' && /File not found/.test(e.message),
    );
  });

  test('http:// URLs, with a BOM; a 404 is a permanent ERROR_UNKNOWN "HTTP Error 404"', async () => {
    const [rows] = await collect({}, `${base}/basic.csv`);
    assert.deepEqual(
      rows.map((r) => [r.billed_date, r.cost]),
      [['2025-08-09', 1.5]],
    );
    await assert.rejects(
      collect({}, `${base}/missing.csv`),
      (e: PluginError) => e.code === 'ERROR_UNKNOWN' && /HTTP Error 404/.test(e.message) && !e.transient,
    );
  });

  test('a download cut mid-file is a transient ERROR_UNAVAILABLE; an aborted one stops at once (neither ends the process)', async () => {
    await assert.rejects(collect({}, `${base}/dropped.csv`), (e: PluginError) => e.code === 'ERROR_UNAVAILABLE' && e.transient);
    const controller = new AbortController();
    const request = { options: {}, secret_data: {}, task_options: { base_url: `${base}/slow.csv` }, domain_id: 'd' };
    const reading = (async () => {
      for await (const page of plugin.getData(request, controller.signal)) void page;
    })();
    setTimeout(() => controller.abort(new Error('stop now')), 100);
    await assert.rejects(reading, /stop now/);
  });
});
