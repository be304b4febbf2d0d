import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';

const fixture = (name: string) => new URL(`../fixtures/focus/${name}`, import.meta.url).href;
/** The fixtures and the files tests write. */
const plugin = makeFocusPlugin(
  makeAccessPolicy({ fileRoots: [fileURLToPath(new URL('../fixtures/focus/', import.meta.url)), tmpdir()], hosts: [] }),
);
const signal = () => new AbortController().signal;

async function collect(url: string, month: string): Promise<CostInfo[][]> {
  const pages: CostInfo[][] = [];
  for await (const page of plugin.getData(
    { options: {}, secret_data: {}, task_options: { base_url: url, month }, domain_id: 'd' },
    signal(),
  ))
    pages.push(page);
  return pages;
}

describe('focus plugin', () => {
  test('get_tasks: one task per file and billing month, each replacing its month; start skips earlier months', async () => {
    const url = fixture('two-months.csv');
    const plan = await plugin.getTasks({ options: { base_url: [url] }, secret_data: {}, domain_id: 'd' });
    assert.deepEqual(plan.tasks, [
      { task_options: { base_url: url, month: '2025-07' }, task_changed: { start: '2025-07', end: '2025-07' } },
      { task_options: { base_url: url, month: '2025-08' }, task_changed: { start: '2025-08', end: '2025-08' } },
    ]);
    const later = await plugin.getTasks({ options: { base_url: url }, secret_data: {}, start: '2025-08', domain_id: 'd' });
    assert.deepEqual(
      later.tasks.map((t) => t.task_options.month),
      ['2025-08'],
    );
  });

  test('FOCUS columns map to cost rows; the rest go to data (numbers) and additional_info', async () => {
    const [july] = await collect(fixture('two-months.csv'), '2025-07');
    assert.deepEqual(july, [
      {
        cost: 10.5,
        usage_quantity: 2,
        usage_unit: 'Hours',
        provider: 'AWS',
        region_code: 'us-east-1',
        product: 'Amazon EC2',
        usage_type: 'SKU-1',
        resource: 'i-0abc',
        billed_date: '2025-07-31',
        tags: { env: 'prod', team: 'core' },
        additional_info: {
          ChargePeriodEnd: '2025-08-01T00:00:00Z',
          BillingAccountId: '123456789012',
          ChargeCategory: 'Usage',
          'Account ID': '123456789012',
        },
        data: { EffectiveCost: 9.8 },
      },
    ]);
    const august = (await collect(fixture('two-months.csv'), '2025-08')).flat();
    assert.deepEqual(
      august.map((r) => [r.billed_date, r.cost, r.product]),
      [
        ['2025-08-01', 0, 'Amazon S3'],
        ['2025-08-15', 4.25, 'Amazon S3'],
        ['2025-08-20', -1, 'Support'],
      ],
    );
  });

  test('malformed rows fail with their row number; a month without rows yields one empty page', async () => {
    await assert.rejects(
      collect(fixture('malformed.csv'), '2025-08'),
      (e: PluginError) => e.code === 'ERROR_INVALID_PARAMETER_TYPE' && /^row 2: BilledCost "abc"/.test(e.message),
    );
    await assert.rejects(
      plugin.getTasks({ options: { base_url: fixture('bad-date.csv') }, secret_data: {}, domain_id: 'd' }),
      (e: PluginError) => /^row 2: ChargePeriodStart "yesterday"/.test(e.message),
    );
    assert.deepEqual(await collect(fixture('two-months.csv'), '2025-01'), [[]]);
  });

  describe('a large export', () => {
    let dir: string;
    let url: string;
    const ROWS = 300_000;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'costsync-focus-'));
      const file = join(dir, 'big.csv');
      const out = createWriteStream(file);
      out.write('BilledCost,EffectiveCost,ProviderName,ServiceName,ResourceId,Tags,ChargePeriodStart,Description\n');
      for (let i = 0; i < ROWS; i++) {
        const line = `${(i % 100) / 10},1,AWS,Service-${i % 17},resource-${i},"{""k"":""${i % 5}""}",2025-08-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z,${'x'.repeat(80)}\n`;
        if (!out.write(line)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve) => out.end(() => resolve()));
      url = pathToFileURL(file).href;
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test(`streams ${ROWS.toLocaleString('en-US')} rows (~50 MB) with the heap staying flat`, async () => {
      setFlagsFromString('--expose-gc');
      const gc = runInNewContext('gc') as () => void;
      gc();
      const before = process.memoryUsage().heapUsed;
      let rows = 0;
      let peak = 0;
      for await (const page of plugin.getData(
        { options: {}, secret_data: {}, task_options: { base_url: url, month: '2025-08' }, domain_id: 'd' },
        signal(),
      )) {
        rows += page.length;
        if (rows % 50_000 < 1000) {
          gc();
          peak = Math.max(peak, process.memoryUsage().heapUsed - before);
        }
      }
      assert.equal(rows, ROWS);
      assert.ok(peak < 32 * 1024 * 1024, `heap grew by ${Math.round(peak / 1024 / 1024)} MB while streaming`);
    });
  });
});
