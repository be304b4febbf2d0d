import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { csv, LINES } from '../helpers/exports/focus.js';

/** The focus plugin on what real exports hold (helpers/exports/focus.ts), as CSV and gzip'd CSV, and on another currency. */
describe('focus plugin: what real exports hold', () => {
  let dir: string;
  let plugin: ReturnType<typeof makeFocusPlugin>;
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const rows = async (name: string, month: string, options: Record<string, unknown> = {}): Promise<CostInfo[]> => {
    const out: CostInfo[] = [];
    for await (const page of plugin.getData(
      { options, secret_data: {}, task_options: { base_url: url(name), month }, domain_id: 'd' },
      new AbortController().signal,
    ))
      out.push(...page);
    return out;
  };

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-focus-quirks-'));
    plugin = makeFocusPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
    writeFileSync(join(dir, 'mixed.csv'), csv(LINES));
    writeFileSync(join(dir, 'mixed.csv.gz'), gzipSync(csv(LINES)));
    writeFileSync(join(dir, 'renamed-gzip.csv'), gzipSync(csv(LINES)));
    writeFileSync(join(dir, 'truncated.csv.gz'), gzipSync(csv(LINES)).subarray(0, 60));
    writeFileSync(join(dir, 'euro.csv'), csv([{ ...LINES[0], BillingCurrency: 'EUR' }]));
    writeFileSync(join(dir, 'export.parquet'), Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64)]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('NULLs, tag spellings, timestamps, credits and accounts, mapped row by row', async () => {
    const august = await rows('mixed.csv', '2025-08');
    assert.deepEqual(
      august.map((r) => [r.billed_date, r.cost, r.provider, r.tags, r.additional_info?.['Account ID'] ?? null, r.region_code ?? null]),
      [
        ['2025-08-01', 10, 'AWS', { env: 'prod', 'cost-center': '7' }, '111111111111', 'us-east-1'],
        ['2025-08-02', 5.5, 'Microsoft', {}, 'ea-1', null],
        ['2025-08-02', 2, 'Oracle', { team: 'data', env: 'dev' }, 'ocid1.compartment', 'us-ashburn-1'],
        ['2025-08-31', -1.25, 'AWS', { promo: 'launch' }, '111111111111', null],
        ['2025-08-31', 30, 'AWS', {}, '222222222222', null],
      ],
    );
    assert.equal(august[1].usage_quantity, undefined, 'NULL is no value, not the text "NULL"');
    assert.ok(!Object.values(august[1].additional_info ?? {}).includes('NULL'));
    const plan = await plugin.getTasks({ options: { base_url: url('mixed.csv') }, secret_data: {}, domain_id: 'd' });
    assert.deepEqual(
      plan.tasks.map((t) => t.task_options.month),
      ['2025-08'],
      'every row, the spanning one included, is August’s',
    );
  });

  test('gzip’d CSV reads the same, by its content whatever its name; a truncated one is a clear error', async () => {
    const plain = await rows('mixed.csv', '2025-08');
    assert.deepEqual(await rows('mixed.csv.gz', '2025-08'), plain);
    assert.deepEqual(await rows('renamed-gzip.csv', '2025-08'), plain);
    await assert.rejects(
      rows('truncated.csv.gz', '2025-08'),
      (e: PluginError) => e.code === 'ERROR_INVALID_PARAMETER' && /not a complete gzip file/.test(e.message),
    );
  });

  test('a file that starts like Parquet but is not complete is named as such, not fed to the CSV parser', async () => {
    await assert.rejects(
      rows('export.parquet', '2025-08'),
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' && /is not a complete Parquet file/.test(e.message) && !/PAR1/.test(e.message),
    );
  });

  test('options.cost_column picks the measure; sums per month and account computed from the lines', async () => {
    for (const column of ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const) {
      const got = await rows('mixed.csv', '2025-08', { cost_column: column });
      const sum = (list: { cost?: number }[]) => Math.round(list.reduce((s, r) => s + (r.cost ?? 0), 0) * 100) / 100;
      const expected = sum(LINES.map((l) => ({ cost: l[column] && l[column] !== 'NULL' ? Number(l[column]) : 0 })));
      assert.equal(sum(got), expected, column);
      const account = got.filter((r) => r.additional_info?.['Account ID'] === '111111111111');
      const expectedAccount = sum(LINES.filter((l) => l.SubAccountId === '111111111111').map((l) => ({ cost: Number(l[column]) })));
      assert.equal(sum(account), expectedAccount, `${column}, account 111111111111`);
    }
    await assert.rejects(
      plugin.verify({ options: { base_url: url('mixed.csv'), cost_column: 'Cost' }, secret_data: {}, domain_id: 'd' }),
      /cost_column must be one of/,
    );
  });

  test('a row in another currency fails the task: no silent mix', async () => {
    await assert.rejects(
      rows('euro.csv', '2025-08'),
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' && /row 1: BillingCurrency is EUR, the data source's currency is USD/.test(e.message),
    );
    assert.equal((await rows('euro.csv', '2025-08', { currency: 'EUR' })).length, 1);
    assert.equal((await plugin.init({ options: { currency: 'EUR' }, domain_id: 'd' })).metadata.currency, 'EUR');
  });

  test('a column named like an object property (toString, valueOf) is kept like any other', async () => {
    writeFileSync(
      join(dir, 'named.csv'),
      'BilledCost,BillingCurrency,ChargePeriodStart,SubAccountId,toString,valueOf,hasOwnProperty\n1,USD,2025-08-01T00:00:00Z,111,a,b,c\n',
    );
    const [row] = await rows('named.csv', '2025-08');
    assert.deepEqual([row.additional_info?.toString, row.additional_info?.valueOf, row.additional_info?.hasOwnProperty], ['a', 'b', 'c']);
  });
});
