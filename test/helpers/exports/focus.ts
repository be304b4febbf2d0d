import { makeFocusPlugin } from '../../../src/plugins/focus/plugin.js';
import { sums } from '../export-sums.js';
import { csvText, type ExportFixture } from './fixture.js';

/**
 * What real FOCUS exports hold, generated from the FOCUS 1.0 column list (and a few 1.1/1.2
 * columns): NULL for absent values, tags as JSON, double-encoded JSON or key=value pairs,
 * timestamps in every common spelling (ISO with Z, a space and no zone, an offset that moves
 * the UTC day, US dates, fractions of a second), credits, several providers in one file,
 * accounts given by SubAccountId or, where it is NULL or empty, by BillingAccountId, charges
 * that span into the next month, other cost measures. LINES are five hand-written lines, one
 * per quirk; focusFixture() generates an export of any size from the same quirks.
 */
export const HEADER = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingCurrency',
  'BillingAccountId',
  'SubAccountId',
  'ProviderName',
  'ServiceName',
  'RegionId',
  'ResourceId',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ChargePeriodStart',
  'ChargeCategory',
  'Tags',
];
export type Line = Partial<Record<(typeof HEADER)[number], string>>;
/** The five quirks, one line each, all billed to August 2025. */
export const LINES: Line[] = [
  // AWS: JSON tags, ISO with Z
  {
    BilledCost: '10',
    EffectiveCost: '8',
    ListCost: '12',
    ContractedCost: '9',
    BillingCurrency: 'USD',
    BillingAccountId: '999999999999',
    SubAccountId: '111111111111',
    ProviderName: 'AWS',
    ServiceName: 'Amazon EC2',
    RegionId: 'us-east-1',
    ResourceId: 'i-1',
    ConsumedQuantity: '24',
    ConsumedUnit: 'Hours',
    ChargePeriodStart: '2025-08-01T00:00:00Z',
    ChargeCategory: 'Usage',
    Tags: '{"env":"prod","cost-center":7}',
  },
  // Microsoft: NULL everywhere optional, a space instead of T, no zone
  {
    BilledCost: '5.5',
    EffectiveCost: '5.5',
    ListCost: 'NULL',
    ContractedCost: 'NULL',
    BillingCurrency: 'USD',
    BillingAccountId: 'ea-1',
    SubAccountId: 'NULL',
    ProviderName: 'Microsoft',
    ServiceName: 'Virtual Machines',
    RegionId: 'NULL',
    ResourceId: 'NULL',
    ConsumedQuantity: 'NULL',
    ConsumedUnit: 'NULL',
    ChargePeriodStart: '2025-08-02 00:00:00',
    ChargeCategory: 'Usage',
    Tags: 'NULL',
  },
  // Oracle: key=value tags, an offset that moves the UTC day back
  {
    BilledCost: '2',
    EffectiveCost: '2',
    ListCost: '3',
    ContractedCost: '2',
    BillingCurrency: 'USD',
    BillingAccountId: 'ocid1.tenancy',
    SubAccountId: 'ocid1.compartment',
    ProviderName: 'Oracle',
    ServiceName: 'Compute',
    RegionId: 'us-ashburn-1',
    ResourceId: 'ocid1.instance',
    ConsumedQuantity: '1',
    ConsumedUnit: 'OCPU Hours',
    ChargePeriodStart: '2025-08-03T01:00:00+02:00',
    ChargeCategory: 'Usage',
    Tags: 'team=data;env=dev',
  },
  // A credit (negative), double-encoded JSON tags, a US date
  {
    BilledCost: '-1.25',
    EffectiveCost: '-1.25',
    ListCost: '0',
    ContractedCost: '-1.25',
    BillingCurrency: 'USD',
    BillingAccountId: '999999999999',
    SubAccountId: '111111111111',
    ProviderName: 'AWS',
    ServiceName: 'Credits',
    RegionId: '',
    ResourceId: '',
    ConsumedQuantity: '',
    ConsumedUnit: '',
    ChargePeriodStart: '08/31/2025 11:00 PM',
    ChargeCategory: 'Credit',
    Tags: '"{\\"promo\\":\\"launch\\"}"',
  },
  // A charge that spans into September: billed to the month its period starts in
  {
    BilledCost: '30',
    EffectiveCost: '30',
    ListCost: '30',
    ContractedCost: '30',
    BillingCurrency: 'USD',
    BillingAccountId: '999999999999',
    SubAccountId: '222222222222',
    ProviderName: 'AWS',
    ServiceName: 'Support',
    RegionId: '',
    ResourceId: '',
    ConsumedQuantity: '',
    ConsumedUnit: '',
    ChargePeriodStart: '2025-08-31T12:00:00.000Z',
    ChargeCategory: 'Purchase',
    Tags: '',
  },
];

/** Lines as a FOCUS CSV export writes them: the HEADER columns, absent cells empty. */
export function csv(lines: readonly Line[]): string {
  return csvText(HEADER, lines);
}

/** Columns beside HEADER that newer exports write: two more of FOCUS 1.0, some FOCUS 1.1 and 1.2 added. */
export const LATER_COLUMNS = [
  'ChargePeriodEnd',
  'SkuId',
  'ServiceSubcategory', // 1.1
  'CommitmentDiscountQuantity', // 1.1: a number, as every *Quantity column
  'InvoiceId', // 1.2
  'PricingCurrency', // 1.2: may differ from BillingCurrency
  'PricingCurrencyEffectiveCost', // 1.2: a number, as every *Cost column
  'SubAccountType', // 1.2
];
export const COLUMNS = [...HEADER, ...LATER_COLUMNS];

/** Three providers, each with its billing account and one sub account. */
export const PROVIDERS = [
  {
    ProviderName: 'AWS',
    BillingAccountId: '999999999999',
    SubAccountId: '111111111111',
    SubAccountType: 'Account',
    ServiceName: 'Amazon EC2',
    ServiceSubcategory: 'Virtual Machines',
    RegionId: 'us-east-1',
    resource: 'i-0a1b2c3d',
    SkuId: 'BoxUsage:m5.large',
    ConsumedUnit: 'Hours',
    PricingCurrency: 'USD',
  },
  {
    ProviderName: 'Microsoft',
    BillingAccountId: 'ea-1',
    SubAccountId: 'a1b2c3d4-0000-4000-8000-000000000001',
    SubAccountType: 'Subscription',
    ServiceName: 'Virtual Machines',
    ServiceSubcategory: 'Virtual Machines',
    RegionId: 'westeurope',
    resource: '/subscriptions/a1b2c3d4/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
    SkuId: 'DZH318Z0BQ4L',
    ConsumedUnit: '1 Hour',
    PricingCurrency: 'EUR',
  },
  {
    ProviderName: 'Oracle',
    BillingAccountId: 'ocid1.tenancy',
    SubAccountId: 'ocid1.compartment',
    SubAccountType: 'Compartment',
    ServiceName: 'Compute',
    ServiceSubcategory: 'Virtual Machines',
    RegionId: 'us-ashburn-1',
    resource: 'ocid1.instance',
    SkuId: 'B93113',
    ConsumedUnit: 'OCPU Hours',
    PricingCurrency: 'USD',
  },
] as const;

/** A row the generator means: the UTC instant its charge period starts, its cost (BilledCost) and account. */
export interface Intended {
  readonly start: Date;
  readonly cost: number;
  readonly account: string;
  readonly record: Record<string, string | number | undefined>;
}

const HOUR = 3_600_000;
const pad = (n: number) => String(n).padStart(2, '0');
const isoZ = (t: Date) => t.toISOString().slice(0, 19) + 'Z';
const spaced = (t: Date) => t.toISOString().slice(0, 19).replace('T', ' ');
const plusTwo = (t: Date) => new Date(t.getTime() + 2 * HOUR).toISOString().slice(0, 19) + '+02:00';
const fraction = (t: Date) => t.toISOString();
function usDate(t: Date): string {
  const h = t.getUTCHours();
  const clock = `${pad(h % 12 || 12)}:${pad(t.getUTCMinutes())} ${h < 12 ? 'AM' : 'PM'}`;
  return `${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${t.getUTCFullYear()} ${clock}`;
}
/** How each quirk kind spells its timestamps. */
const SPELLING = [isoZ, spaced, plusTwo, usDate, fraction];

/**
 * `count` rows cycling through LINES' five quirk kinds: 0 AWS-like, JSON tags, ISO with Z;
 * 1 NULL in every optional column, a space and no zone; 2 key=value tags, a +02:00 offset
 * (every other time at the month's last UTC hour, so written as the next month's first day);
 * 3 a credit (negative), double-encoded JSON tags, a US date (every other time 11 PM on the
 * month's last day); 4 a purchase starting in the month's last days that spans into the next
 * month, fractional Z. The
 * n-th row of a kind is July's when n is even, else August's, from provider n % 3, with its
 * sub account given, NULL or empty by turns; costs are multiples of 1/8, exact in binary.
 */
export function focusRows(count = 300): Intended[] {
  const out: Intended[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 5;
    const n = Math.floor(i / 5);
    const p = PROVIDERS[n % 3];
    const sub = [p.SubAccountId, 'NULL', undefined][Math.floor(n / 3) % 3];
    const month = 6 + (n % 2); // July, August (0-based)
    const last = new Date(Date.UTC(2025, month + 1, 0)).getUTCDate();
    const monthEnd = n % 4 < 2; // both months, every other time each
    let start = new Date(Date.UTC(2025, month, 1 + ((i * 7) % last), (i * 5) % 24));
    let end = new Date(start.getTime() + HOUR);
    if ((kind === 2 || kind === 3) && monthEnd) {
      start = new Date(Date.UTC(2025, month, last, 23));
      end = new Date(start.getTime() + HOUR);
    }
    if (kind === 4) {
      start = new Date(Date.UTC(2025, month, last - (n % 3), 6 * (n % 3) + 6, 0, 0, 250 * (n % 4)));
      end = new Date(Date.UTC(2025, month + 1, 1 + (n % 5)));
    }
    const credit = kind === 3;
    const eighths = credit ? -(((i * 13) % 80) + 1) : ((i * 37) % 800) + 1;
    const cost = eighths / 8;
    const nulls = kind === 1;
    const usage = kind === 0 || kind === 2;
    const quantity = (i % 48) + 1;
    const spell = SPELLING[kind];
    const tags = [
      JSON.stringify({ env: i % 2 ? 'prod' : 'dev', 'cost-center': i % 10 }),
      'NULL',
      i % 2 ? 'team=data;env=dev' : 'team=web, env=prod',
      JSON.stringify(JSON.stringify({ promo: `launch-${n % 4}` })),
      undefined,
    ][kind];
    const record: Record<string, string | number | undefined> = {
      BilledCost: cost,
      EffectiveCost: credit || nulls ? cost : Math.max(eighths - (i % 4), 0) / 8,
      ListCost: nulls ? 'NULL' : credit ? 0 : (eighths + (i % 3) * 8) / 8,
      ContractedCost: nulls ? 'NULL' : credit ? cost : (eighths + (i % 2)) / 8,
      BillingCurrency: 'USD',
      BillingAccountId: p.BillingAccountId,
      SubAccountId: sub,
      ProviderName: p.ProviderName,
      ServiceName: credit ? 'Credits' : kind === 4 ? 'Support' : p.ServiceName,
      RegionId: nulls ? 'NULL' : usage ? p.RegionId : undefined,
      ResourceId: nulls ? 'NULL' : usage ? `${p.resource}-${i}` : undefined,
      ConsumedQuantity: nulls ? 'NULL' : usage ? quantity : undefined,
      ConsumedUnit: nulls ? 'NULL' : usage ? p.ConsumedUnit : undefined,
      ChargePeriodStart: spell(start),
      ChargeCategory: credit ? 'Credit' : kind === 4 ? 'Purchase' : 'Usage',
      Tags: tags,
      ChargePeriodEnd: spell(end),
      SkuId: nulls ? 'NULL' : usage ? p.SkuId : undefined,
      ServiceSubcategory: nulls ? 'NULL' : credit ? 'Other (Multicategory)' : kind === 4 ? 'Support' : p.ServiceSubcategory,
      CommitmentDiscountQuantity: kind === 0 ? quantity / 2 : kind === 2 ? 'NULL' : undefined,
      InvoiceId: nulls ? 'NULL' : `INV-${p.ProviderName}-2025${pad(month + 1)}`,
      PricingCurrency: nulls ? 'NULL' : p.PricingCurrency,
      PricingCurrencyEffectiveCost: nulls ? 'NULL' : (eighths * (p.PricingCurrency === 'EUR' ? 7 : 8)) / 64,
      SubAccountType: sub === p.SubAccountId ? p.SubAccountType : sub,
    };
    // FOCUS: the account is the sub account, else (NULL or empty) the billing account.
    out.push({ start, cost, account: sub === p.SubAccountId ? sub : p.BillingAccountId, record });
  }
  return out;
}

/** The generated export (`focusRows(count)`) for the export matrix, read with BilledCost in USD. */
export function focusFixture(count = 300): ExportFixture {
  const rows = focusRows(count);
  const records = rows.map((r) => r.record);
  return {
    pluginId: 'focus',
    plugin: makeFocusPlugin,
    options: {},
    records,
    csv: () => csvText(COLUMNS, records),
    expected: {
      rows: rows.length,
      sums: sums(rows.map((r) => ({ cost: r.cost, month: r.start.toISOString().slice(0, 7), account: r.account }))),
    },
  };
}
