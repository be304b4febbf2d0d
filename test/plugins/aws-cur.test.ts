import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAwsCurPlugin } from '../../src/plugins/aws-cur/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { collectMonth, publishedSums, sums } from '../helpers/export-sums.js';

/**
 * AWS Cost and Usage Reports, generated here from AWS's column lists: the legacy CUR
 * (`lineItem/…`) and CUR 2.0 / Data Exports (`line_item_…`), the same line items in both,
 * every line item type that amortization treats differently, two months, three accounts —
 * as CSV and gzip. Sums per month and account are computed from the generated items.
 */
interface Item {
  account: string;
  start: string;
  type: string;
  product: string;
  usageType: string;
  resource: string;
  amount: number;
  unblended: number;
  blended: number;
  net: number;
  spEffective?: number;
  spCommitment?: number;
  spUsed?: number;
  riEffective?: number;
  riUnusedUpfront?: number;
  riUnusedRecurring?: number;
  riArn?: string;
  tag?: string;
}

const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const TYPES = [
  'Usage',
  'SavingsPlanCoveredUsage',
  'SavingsPlanNegation',
  'SavingsPlanRecurringFee',
  'DiscountedUsage',
  'RIFee',
  'Fee',
  'Credit',
  'Tax',
];

function items(): Item[] {
  const out: Item[] = [];
  for (let i = 0; i < 240; i++) {
    const month = i % 2 === 0 ? '2025-07' : '2025-08';
    const day = String(1 + (i % 28)).padStart(2, '0');
    const type = TYPES[i % TYPES.length];
    const unblended = type === 'Credit' ? -((i % 7) + 1) / 4 : type === 'SavingsPlanNegation' ? -((i % 5) + 1) : ((i % 13) + 1) / 8;
    out.push({
      account: ACCOUNTS[i % 3],
      start: `${month}-${day}T${String(i % 24).padStart(2, '0')}:00:00Z`,
      type,
      product: i % 4 === 0 ? 'AmazonS3' : 'AmazonEC2',
      usageType: `USE1-BoxUsage:t3.${['micro', 'small', 'large'][i % 3]}`,
      resource: i % 5 === 0 ? '' : `i-${String(i).padStart(8, '0')}`,
      amount: (i % 24) + 1,
      unblended,
      blended: unblended * 1.1,
      net: unblended * 0.9,
      ...(type === 'SavingsPlanCoveredUsage' ? { spEffective: unblended * 0.6 } : {}),
      ...(type === 'SavingsPlanRecurringFee' ? { spCommitment: 10, spUsed: 7.5 } : {}),
      ...(type === 'DiscountedUsage' ? { riEffective: unblended * 0.5 } : {}),
      ...(type === 'RIFee' ? { riUnusedUpfront: 0.25, riUnusedRecurring: 0.5 } : {}),
      ...(type === 'Fee' && i % 2 === 0 ? { riArn: 'arn:aws:ec2:us-east-1:111111111111:reserved-instances/r-1' } : {}),
      ...(i % 3 === 0 ? { tag: `team-${i % 4}` } : {}),
    });
  }
  return out;
}

type Measure = 'unblended' | 'net_unblended' | 'blended' | 'amortized';

/** AWS's amortized cost of one line item, written out independently of the plugin. */
function expectedCost(item: Item, measure: Measure): number {
  if (measure === 'unblended') return item.unblended;
  if (measure === 'blended') return item.blended;
  if (measure === 'net_unblended') return item.net;
  if (item.type === 'SavingsPlanCoveredUsage') return item.spEffective!;
  if (item.type === 'SavingsPlanRecurringFee') return item.spCommitment! - item.spUsed!;
  if (item.type === 'SavingsPlanNegation') return 0;
  if (item.type === 'DiscountedUsage') return item.riEffective!;
  if (item.type === 'RIFee') return item.riUnusedUpfront! + item.riUnusedRecurring!;
  if (item.type === 'Fee' && item.riArn) return 0;
  return item.unblended;
}

const LEGACY: [string, (i: Item) => string | number | undefined][] = [
  ['identity/LineItemId', (i) => `${i.resource}-${i.start}`],
  ['bill/PayerAccountId', () => '999999999999'],
  ['lineItem/UsageAccountId', (i) => i.account],
  ['lineItem/LineItemType', (i) => i.type],
  ['lineItem/UsageStartDate', (i) => i.start],
  ['lineItem/ProductCode', (i) => i.product],
  ['lineItem/UsageType', (i) => i.usageType],
  ['lineItem/Operation', () => 'RunInstances'],
  ['lineItem/ResourceId', (i) => i.resource],
  ['lineItem/UsageAmount', (i) => i.amount],
  ['lineItem/CurrencyCode', () => 'USD'],
  ['lineItem/UnblendedCost', (i) => i.unblended],
  ['lineItem/BlendedCost', (i) => i.blended],
  ['lineItem/NetUnblendedCost', (i) => i.net],
  ['product/regionCode', () => 'us-east-1'],
  ['product/ProductName', (i) => (i.product === 'AmazonS3' ? 'Amazon Simple Storage Service' : 'Amazon Elastic Compute Cloud')],
  ['pricing/unit', () => 'Hrs'],
  ['savingsPlan/SavingsPlanEffectiveCost', (i) => i.spEffective],
  ['savingsPlan/TotalCommitmentToDate', (i) => i.spCommitment],
  ['savingsPlan/UsedCommitment', (i) => i.spUsed],
  ['reservation/EffectiveCost', (i) => i.riEffective],
  ['reservation/UnusedAmortizedUpfrontFeeForBillingPeriod', (i) => i.riUnusedUpfront],
  ['reservation/UnusedRecurringFee', (i) => i.riUnusedRecurring],
  ['reservation/ReservationARN', (i) => i.riArn],
  ['resourceTags/user:team', (i) => i.tag],
];

/** CUR 2.0 spells the same columns in snake_case; tags are one JSON map column. */
const CUR2: [string, (i: Item) => string | number | undefined][] = [
  ...LEGACY.filter(([name]) => !name.startsWith('resourceTags/')).map(
    ([name, value]) =>
      [
        name === 'reservation/ReservationARN'
          ? 'reservation_reservation_a_r_n'
          : name
              .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
              .replace('/', '_')
              .toLowerCase(),
        value,
      ] as [string, (i: Item) => string | number | undefined],
  ),
  ['resource_tags', (i) => (i.tag ? JSON.stringify({ user_team: i.tag }) : '')],
];

function csv(columns: typeof LEGACY, list: Item[]): string {
  const cell = (v: string | number | undefined) => {
    const text = v === undefined ? '' : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[columns.map(([name]) => name).join(','), ...list.map((item) => columns.map(([, value]) => cell(value(item))).join(','))].join('\n')}\n`;
}

describe('aws-cur plugin', () => {
  let dir: string;
  const ITEMS = items();
  const plugin = () => makeAwsCurPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const collect = (name: string, month: string, options: Record<string, unknown> = {}) => collectMonth(plugin(), url(name), month, options);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-cur-'));
    writeFileSync(join(dir, 'legacy.csv'), csv(LEGACY, ITEMS));
    writeFileSync(join(dir, 'legacy.csv.gz'), gzipSync(csv(LEGACY, ITEMS)));
    writeFileSync(join(dir, 'cur2.csv.gz'), gzipSync(csv(CUR2, ITEMS)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plans one task per file and month; both generations, plain and gzip, give the same rows', async () => {
    const plan = await plugin().getTasks({
      options: { base_url: [url('legacy.csv.gz'), url('cur2.csv.gz')] },
      secret_data: {},
      domain_id: 'd',
    });
    assert.deepEqual(
      plan.tasks.map((t) => [String(t.task_options.base_url).split('/').pop(), t.task_options.month, t.task_changed]),
      [
        ['legacy.csv.gz', '2025-07', { start: '2025-07', end: '2025-07' }],
        ['legacy.csv.gz', '2025-08', { start: '2025-08', end: '2025-08' }],
        ['cur2.csv.gz', '2025-07', { start: '2025-07', end: '2025-07' }],
        ['cur2.csv.gz', '2025-08', { start: '2025-08', end: '2025-08' }],
      ],
    );
    const legacy = await collect('legacy.csv', '2025-08');
    assert.equal(legacy.length, ITEMS.filter((i) => i.start.startsWith('2025-08')).length);
    assert.deepEqual(await collect('legacy.csv.gz', '2025-08'), legacy);
    const cur2 = await collect('cur2.csv.gz', '2025-08');
    const tagless = (rows: CostInfo[]) => rows.map(({ tags, ...rest }) => ({ ...rest, tags: Object.values(tags ?? {}) }));
    assert.deepEqual(tagless(cur2), tagless(legacy), 'the same rows; only the tag key spelling differs (user:team / user_team)');
    const first = legacy[0];
    assert.deepEqual(
      [
        first.provider,
        first.region_code,
        first.product,
        first.usage_unit,
        first.additional_info?.['Account ID'],
        first.additional_info?.['Payer Account ID'],
      ],
      ['aws', 'us-east-1', ITEMS[1].product, 'Hrs', ITEMS[1].account, '999999999999'],
    );
  });

  for (const measure of ['unblended', 'net_unblended', 'blended', 'amortized'] as const) {
    test(`cost_measure ${measure}: sums per month and account equal the line items'`, async () => {
      const expected = sums(ITEMS.map((i) => ({ cost: expectedCost(i, measure), month: i.start.slice(0, 7), account: i.account })));
      for (const file of ['legacy.csv.gz', 'cur2.csv.gz']) {
        const rows = [
          ...(await collect(file, '2025-07', { cost_measure: measure })),
          ...(await collect(file, '2025-08', { cost_measure: measure })),
        ];
        const got = sums(
          rows.map((r) => ({ cost: r.cost, month: r.billed_date!.slice(0, 7), account: String(r.additional_info?.['Account ID']) })),
        );
        assert.deepEqual(got, expected, file);
      }
    });
  }

  test('a bad option, a line item in another currency and a row without a start date are clear errors', async () => {
    await assert.rejects(
      plugin().verify({ options: { base_url: url('legacy.csv'), cost_measure: 'list' }, secret_data: {}, domain_id: 'd' }),
      /cost_measure must be one of unblended, net_unblended, blended, amortized/,
    );
    writeFileSync(join(dir, 'eur.csv'), csv(LEGACY, ITEMS.slice(0, 1)).replace(',USD,', ',EUR,'));
    await assert.rejects(collect('eur.csv', ITEMS[0].start.slice(0, 7)), (e: PluginError) =>
      /row 1: line_item_currency_code is EUR/.test(e.message),
    );
    writeFileSync(join(dir, 'no-date.csv'), 'lineItem/UnblendedCost\n1\n');
    await assert.rejects(
      plugin().getTasks({ options: { base_url: url('no-date.csv') }, secret_data: {}, domain_id: 'd' }),
      /row 1: Required parameter\. \(key = lineItem\/UsageStartDate/,
    );
  });

  test('through the engine: a sync of a gzip CUR publishes the amortized sums per month and account', async () => {
    const options = { base_url: [url('cur2.csv.gz')], cost_measure: 'amortized' };
    const expected = sums(ITEMS.map((i) => ({ cost: expectedCost(i, 'amortized'), month: i.start.slice(0, 7), account: i.account })));
    assert.deepEqual(await publishedSums('pglite', 'aws-cur', plugin(), options), expected);
  });
});
