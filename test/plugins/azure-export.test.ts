import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAzureExportPlugin } from '../../src/plugins/azure-export/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { BACKENDS } from '../helpers/backends.js';
import { collectMonth, publishedSums, sums } from '../helpers/export-sums.js';
import {
  type Column,
  charges,
  csv,
  currencyOf,
  EA,
  EA_LEGACY,
  expectedCost,
  jsonLines,
  MCA,
  type Measure,
} from '../helpers/exports/azure.js';

/** The files that have the measure's column: only MCA writes costInUsd, the older EA files only Cost. */
const FILES: Record<Measure, string[]> = {
  billing: ['ea.csv', 'ea-legacy.csv', 'mca.csv.gz'],
  pricing: ['ea.csv', 'mca.csv.gz'],
  usd: ['mca.csv.gz'],
};

const rowSums = (rows: CostInfo[]) =>
  sums(rows.map((r) => ({ cost: r.cost, month: r.billed_date!.slice(0, 7), account: String(r.additional_info?.['Account ID']) })));

/** The azure-cost-export plugin over the generated EA, older EA and MCA exports (test/helpers/exports/azure.ts). */
describe('azure-cost-export plugin', () => {
  let dir: string;
  const CHARGES = charges();
  const plugin = () => makeAzureExportPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const collect = (name: string, month: string, options: Record<string, unknown> = {}) =>
    collectMonth(plugin(), url(name), month, { currency: 'EUR', ...options });
  const both = async (name: string, options: Record<string, unknown> = {}) => [
    ...(await collect(name, '2025-07', options)),
    ...(await collect(name, '2025-08', options)),
  ];
  const CORE = ['billed_date', 'cost', 'usage_quantity', 'usage_unit', 'region_code', 'product', 'usage_type', 'resource', 'tags'] as const;
  const core = (r: CostInfo) => [...CORE.map((field) => r[field]), r.additional_info?.['Account ID']];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-azure-'));
    writeFileSync(join(dir, 'ea.csv'), csv(EA, CHARGES));
    writeFileSync(join(dir, 'ea-legacy.csv'), csv(EA_LEGACY, CHARGES));
    writeFileSync(join(dir, 'mca.csv'), csv(MCA, CHARGES));
    writeFileSync(join(dir, 'mca.csv.gz'), gzipSync(csv(MCA, CHARGES)));
    writeFileSync(join(dir, 'mca.jsonl.gz'), gzipSync(jsonLines(CHARGES)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plans one task per file and month; EA, older EA and MCA, CSV, gzip and JSON lines give the same rows', async () => {
    const plan = await plugin().getTasks({
      options: { base_url: [url('ea.csv'), url('mca.csv.gz')], currency: 'EUR' },
      secret_data: {},
      domain_id: 'd',
    });
    const planned = plan.tasks.map(
      (t) => `${String(t.task_options.base_url).split('/').pop()} ${t.task_options.month} ${JSON.stringify(t.task_changed)}`,
    );
    assert.deepEqual(planned, [
      'ea.csv 2025-07 {"start":"2025-07","end":"2025-07"}',
      'ea.csv 2025-08 {"start":"2025-08","end":"2025-08"}',
      'mca.csv.gz 2025-07 {"start":"2025-07","end":"2025-07"}',
      'mca.csv.gz 2025-08 {"start":"2025-08","end":"2025-08"}',
    ]);
    const ea = await both('ea.csv');
    assert.equal(ea.length, CHARGES.length);
    assert.equal((await collect('ea.csv', '2025-08')).length, CHARGES.filter((c) => c.date.startsWith('2025-08')).length);
    const mca = await both('mca.csv');
    assert.deepEqual(mca.map(core), ea.map(core), 'EA (US dates, both tag forms) and MCA (ISO dates) read alike');
    assert.deepEqual((await both('ea-legacy.csv')).map(core), ea.map(core), 'the older EA spellings read alike');
    assert.deepEqual(await both('mca.csv.gz'), mca);
    assert.deepEqual(await both('mca.jsonl.gz'), mca);
  });

  test('each row maps as documented: fallbacks, NULLs, refunds, tags', async () => {
    const ea = await both('ea.csv');
    const july = CHARGES.filter((c) => c.date.startsWith('2025-07'));
    const august = CHARGES.filter((c) => c.date.startsWith('2025-08'));
    const expected = [...july, ...august].map((c) => [
      c.date,
      c.billing,
      c.quantity,
      '1 Hour',
      c.location.toLowerCase(),
      c.meterCategory || c.consumedService,
      c.meterName || c.meterSubCategory || undefined,
      c.resource || undefined,
      c.tags ?? {},
      c.subscription,
    ]);
    assert.deepEqual(ea.map(core), expected);
    const refund = ea.find((r) => r.additional_info?.['Charge Type'] === 'Refund')!;
    assert.ok(refund.cost! < 0 && refund.usage_quantity === undefined, 'a refund keeps its sign; NULL quantity is no quantity');
    assert.ok(!JSON.stringify(ea).includes('NULL'), 'NULL is no value anywhere');
    const vm = ea.find((r) => r.resource?.endsWith('/vm-3'))!;
    const info = vm.additional_info!;
    const context = [
      info['Instance Type'],
      info['Subscription Name'],
      info['Resource Group'],
      info['Department Name'],
      info['Cost Metric'],
    ];
    assert.deepEqual(
      context,
      ['D2s v3', 'sub-9000', 'rg-3', 'Engineering', undefined],
      'a VM’s meter is its instance type; no export type',
    );
    assert.deepEqual([vm.provider, vm.data?.CostInPricingCurrency], ['azure', CHARGES[3].pricing]);
    assert.deepEqual(vm.tags, { env: 'prod', 'cost-center': '3' }, 'brace-less tags read as JSON ones');
  });

  for (const measure of ['billing', 'pricing', 'usd'] as const) {
    test(`cost_measure ${measure}: sums per month and subscription equal the charges'`, async () => {
      const expected = sums(CHARGES.map((c) => ({ cost: expectedCost(c, measure), month: c.date.slice(0, 7), account: c.subscription })));
      for (const file of FILES[measure]) {
        assert.deepEqual(rowSums(await both(file, { cost_measure: measure, currency: currencyOf(measure) })), expected, file);
      }
    });
  }

  test('the currency follows the measure; a row in another currency fails its task', async () => {
    await assert.rejects(
      collect('mca.csv', '2025-07', { currency: 'USD' }),
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' &&
        /row 1: BillingCurrency is EUR, the data source's currency is USD; register a data source per currency/.test(e.message),
    );
    await assert.rejects(collect('mca.csv', '2025-07', { cost_measure: 'pricing', currency: 'EUR' }), /row 1: PricingCurrency is USD/);
    const gbp: Column[] = EA.map(([name, value]) => [name, name === 'BillingCurrencyCode' ? (_c, i) => (i === 2 ? 'GBP' : 'EUR') : value]);
    writeFileSync(join(dir, 'mixed.csv'), csv(gbp, CHARGES.slice(0, 3)));
    await assert.rejects(
      collect('mixed.csv', CHARGES[2].date.slice(0, 7)),
      /row 3: BillingCurrency is GBP, the data source's currency is EUR/,
    );
  });

  test('bad options, a file without costInUsd, bad tags and a row without a date are clear errors', async () => {
    const plan = (name: string) => plugin().getTasks({ options: { base_url: url(name) }, secret_data: {}, domain_id: 'd' });
    const verify = (options: Record<string, unknown>) =>
      plugin().verify({ options: { base_url: url('ea.csv'), ...options }, secret_data: {}, domain_id: 'd' });
    await assert.rejects(verify({ cost_measure: 'amortized' }), /cost_measure must be one of billing, pricing, usd/);
    await assert.rejects(
      verify({ cost_measure: 'usd', currency: 'EUR' }),
      /cost_measure usd gives costs in USD, so options.currency must be USD/,
    );
    await assert.rejects(
      collect('ea.csv', '2025-07', { cost_measure: 'usd', currency: 'USD' }),
      (e: PluginError) =>
        e.code === 'ERROR_REQUIRED_PARAMETER' &&
        /row 1: options.cost_measure usd reads costInUsd, which this export does not have/.test(e.message),
    );
    writeFileSync(join(dir, 'bad-tags.csv'), 'Date,CostInBillingCurrency,BillingCurrency,Tags\n08/01/2025,1,EUR,env=prod\n');
    await assert.rejects(collect('bad-tags.csv', '2025-08'), /row 1: Tags is neither a JSON object nor "key": "value" pairs/);
    writeFileSync(
      join(dir, 'proto-tags.csv'),
      'Date,CostInBillingCurrency,BillingCurrency,Tags\n08/01/2025,1,EUR,"""__proto__"": ""x"""\n',
    );
    await assert.rejects(collect('proto-tags.csv', '2025-08'), /row 1: Tags has a key named "__proto__"/);
    writeFileSync(join(dir, 'no-date.csv'), 'CostInBillingCurrency\n1\n');
    await assert.rejects(plan('no-date.csv'), /row 1: Required parameter\. \(key = Date \/ date/);
    writeFileSync(join(dir, 'bad-date.csv'), 'Date,CostInBillingCurrency\n31/08/2025,1\n');
    await assert.rejects(plan('bad-date.csv'), /row 1: Date "31\/08\/2025"/);
  });

  test('a column naming the export type is kept; one without it records nothing', async () => {
    writeFileSync(join(dir, 'metric.csv'), 'date,costInBillingCurrency,billingCurrency,Metric\n2025-08-01,2.5,EUR,AmortizedCost\n');
    const [row] = await collect('metric.csv', '2025-08');
    assert.equal(row.additional_info?.['Cost Metric'], 'AmortizedCost');
  });

  for (const backend of BACKENDS) {
    test(`through the engine (${backend}): a sync of a gzip MCA export publishes the sums per month and subscription`, async () => {
      const options = { base_url: [url('mca.csv.gz')], currency: 'EUR' };
      const expected = sums(CHARGES.map((c) => ({ cost: c.billing, month: c.date.slice(0, 7), account: c.subscription })));
      assert.deepEqual(await publishedSums(backend, 'azure-cost-export', plugin(), options), expected);
    });
  }
});
