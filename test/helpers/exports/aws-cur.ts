import { makeAwsCurPlugin } from '../../../src/plugins/aws-cur/plugin.js';
import { sums } from '../export-sums.js';
import { type Column as ColumnOf, columnCsv, columnRecords, type ExportFixture } from './fixture.js';

/**
 * AWS Cost and Usage Reports, generated from AWS's column lists: the legacy CUR
 * (`lineItem/…`) and CUR 2.0 / Data Exports (`line_item_…`), the same line items in both,
 * every line item type that amortization treats differently, two months, three accounts.
 * Sums per month and account are computed from the generated items.
 */
export interface Item {
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

export const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
export const TYPES = [
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

/** 240 line items over July and August 2025, the line item types in turn. */
export function items(): Item[] {
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

export type Measure = 'unblended' | 'net_unblended' | 'blended' | 'amortized';

/** AWS's amortized cost of one line item, written out independently of the plugin. */
export function expectedCost(item: Item, measure: Measure): number {
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

/** The line items' cost under `measure`, per "YYYY-MM account" of their usage start. */
export function expectedSums(list: readonly Item[], measure: Measure): Record<string, number> {
  return sums(list.map((i) => ({ cost: expectedCost(i, measure), month: i.start.slice(0, 7), account: i.account })));
}

/** A report column: its name, and its value for a line item ('' or undefined: an empty cell). */
export type Column = ColumnOf<Item>;

export const LEGACY: Column[] = [
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
export const CUR2: Column[] = [
  ...LEGACY.filter(([name]) => !name.startsWith('resourceTags/')).map(
    ([name, value]): Column => [
      name === 'reservation/ReservationARN'
        ? 'reservation_reservation_a_r_n'
        : name
            .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
            .replace('/', '_')
            .toLowerCase(),
      value,
    ],
  ),
  ['resource_tags', (i) => (i.tag ? JSON.stringify({ user_team: i.tag }) : '')],
];

/** The report's records: column → value, undefined where the cell is empty. */
export const records = (columns: readonly Column[], list: readonly Item[]) => columnRecords(columns, list);

/** The report as a CSV file. */
export const csv = (columns: readonly Column[], list: readonly Item[]) => columnCsv(columns, list);

/** The generated report of one generation, its cost under `measure`. */
export function awsCurFixture(generation: 'legacy' | 'cur2', measure: Measure = 'amortized'): ExportFixture {
  const columns = generation === 'legacy' ? LEGACY : CUR2;
  const list = items();
  const rows = records(columns, list);
  return {
    pluginId: 'aws-cur',
    plugin: makeAwsCurPlugin,
    options: { cost_measure: measure },
    records: rows,
    csv: () => csv(columns, list),
    expected: { rows: list.length, sums: expectedSums(list, measure) },
  };
}
