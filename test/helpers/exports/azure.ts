import { makeAzureExportPlugin } from '../../../src/plugins/azure-export/plugin.js';
import { sums } from '../export-sums.js';
import { type Column as ColumnOf, columnCsv, columnRecords, type ExportFixture } from './fixture.js';

/**
 * Azure Cost Management exports, generated from Azure's column lists: the EA schema
 * (PascalCase, US dates, tags as JSON or as the older brace-less pairs), the older EA spellings
 * (`UsageDateTime`, `Cost`, `Currency`, `InstanceName`), and the MCA schema (camelCase, ISO
 * dates, three money columns) — the same charges in every schema: usage, purchases without a
 * meter, refunds, NULLs. Billed in EUR, priced in USD. Sums per month and subscription are
 * computed from the generated charges.
 */
export interface Charge {
  subscription: string;
  legacyId: string;
  date: string;
  meterCategory: string;
  meterSubCategory: string;
  meterName: string;
  consumedService: string;
  location: string;
  resource: string;
  quantity?: number;
  billing: number;
  pricing: number;
  chargeType: string;
  tags?: Record<string, string>;
}

const SUBSCRIPTIONS = [1, 2, 3].map((n) => `${String(n).repeat(8)}-aaaa-4000-8000-00000000000${n}`);
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** 300 charges over July and August 2025, three subscriptions. */
export function charges(): Charge[] {
  const out: Charge[] = [];
  for (let i = 0; i < 300; i++) {
    const month = i % 2 === 0 ? '2025-07' : '2025-08';
    const chargeType = i % 10 === 9 ? 'Refund' : i % 10 === 4 ? 'Purchase' : 'Usage';
    const billing = chargeType === 'Refund' ? -((i % 7) + 1) / 4 : chargeType === 'Purchase' ? 100 + (i % 3) : ((i % 13) + 1) / 8;
    const subscription = SUBSCRIPTIONS[i % 3];
    const vm = `/subscriptions/${subscription}/resourceGroups/rg-${i % 4}/providers/Microsoft.Compute/virtualMachines/vm-${i}`;
    out.push({
      subscription,
      legacyId: String(9000 + (i % 3)),
      date: `${month}-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`,
      meterCategory: chargeType === 'Purchase' ? '' : ['Virtual Machines', 'Storage', 'Bandwidth'][i % 3],
      meterSubCategory: i % 5 === 0 ? '' : 'Dsv3 Series',
      meterName: i % 7 === 0 || chargeType === 'Purchase' ? '' : 'D2s v3',
      consumedService: chargeType === 'Purchase' ? 'Microsoft.Capacity' : 'Microsoft.Compute',
      location: ['EastUS', 'westeurope', 'EastUS2'][i % 3],
      resource: chargeType === 'Purchase' ? '' : vm,
      ...(chargeType === 'Refund' ? {} : { quantity: (i % 24) + 1 }),
      billing,
      pricing: round(billing * 1.1),
      chargeType,
      ...(i % 3 === 0 ? { tags: { env: 'prod', 'cost-center': String(i % 4) } } : i % 3 === 1 ? { tags: { team: `t${i % 5}` } } : {}),
    });
  }
  return out;
}

/** A column: its name, and its cell for the charge at index i ('' or undefined for an empty one). */
export type Column = ColumnOf<Charge>;
const usDate = (iso: string) => `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
const json = (tags?: Record<string, string>) => (tags ? JSON.stringify(tags) : '');
const bare = (tags?: Record<string, string>) =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `"${k}": "${v}"`)
    .join(',');
const orNull = (value: string | number | undefined) => (value === undefined || value === '' ? 'NULL' : value);

export const EA: Column[] = [
  ['InvoiceSectionName', () => 'Engineering'],
  ['AccountName', () => 'Platform'],
  ['SubscriptionId', (c) => c.subscription],
  ['SubscriptionName', (c) => `sub-${c.legacyId}`],
  ['ResourceGroup', (c) => orNull(c.resource.split('/')[4])],
  ['ResourceLocation', (c) => c.location],
  ['Date', (c) => usDate(c.date)],
  ['ProductName', (c) => (c.chargeType === 'Purchase' ? 'Reserved VM Instance, Standard_D2s_v3, 1 Year' : 'Virtual Machines Dsv3')],
  ['MeterCategory', (c) => c.meterCategory],
  ['MeterSubCategory', (c) => orNull(c.meterSubCategory)],
  ['MeterId', () => '0a1b2c3d-0000-4000-8000-00000000abcd'],
  ['MeterName', (c) => c.meterName],
  ['UnitOfMeasure', () => '1 Hour'],
  ['Quantity', (c) => orNull(c.quantity)],
  ['CostInBillingCurrency', (c) => c.billing],
  ['CostInPricingCurrency', (c) => c.pricing],
  ['ConsumedService', (c) => c.consumedService],
  ['ResourceId', (c) => c.resource],
  ['Tags', (c, i) => (i % 2 === 0 ? json(c.tags) : bare(c.tags))],
  ['BillingAccountId', () => '8608480'],
  ['BillingCurrencyCode', () => 'EUR'],
  ['PricingCurrencyCode', () => 'USD'],
  ['ChargeType', (c) => c.chargeType],
  ['PricingModel', (c) => (c.chargeType === 'Usage' ? 'OnDemand' : 'Reservation')],
  ['Frequency', (c) => (c.chargeType === 'Usage' ? 'UsageBased' : 'OneTime')],
  ['PublisherType', () => 'Azure'],
  ['ReservationId', (c) => (c.chargeType === 'Usage' ? '' : 'r-0001')],
];

/** Older EA files: a numeric SubscriptionId beside the SubscriptionGuid, and one money column. */
export const EA_LEGACY: Column[] = [
  ['SubscriptionId', (c) => c.legacyId],
  ['SubscriptionGuid', (c) => c.subscription],
  ['UsageDateTime', (c) => usDate(c.date)],
  ['MeterCategory', (c) => c.meterCategory],
  ['MeterSubCategory', (c) => c.meterSubCategory],
  ['MeterName', (c) => c.meterName],
  ['ResourceLocation', (c) => c.location],
  ['ConsumedService', (c) => c.consumedService],
  ['InstanceName', (c) => c.resource],
  ['ConsumedQuantity', (c) => c.quantity],
  ['UnitOfMeasure', () => '1 Hour'],
  ['Cost', (c) => c.billing],
  ['Currency', () => 'EUR'],
  ['Tags', (c) => bare(c.tags)],
];

export const MCA: Column[] = [
  ['billingAccountId', () => 'ba-mca-1'],
  ['billingProfileId', () => 'bp-1'],
  ['invoiceSectionName', () => 'Engineering'],
  ['date', (c, i) => (i % 2 === 0 ? c.date : `${c.date}T00:00:00.0000000Z`)],
  ['serviceFamily', () => 'Compute'],
  ['consumedService', (c) => c.consumedService],
  ['meterName', (c) => c.meterName],
  ['meterCategory', (c) => c.meterCategory],
  ['meterSubCategory', (c) => c.meterSubCategory],
  ['SubscriptionId', (c) => c.subscription],
  ['subscriptionName', (c) => `sub-${c.legacyId}`],
  ['resourceGroupName', (c) => c.resource.split('/')[4]],
  ['ResourceId', (c) => c.resource],
  ['resourceLocation', (c) => c.location],
  ['location', () => 'US East'],
  ['quantity', (c) => c.quantity],
  ['unitOfMeasure', () => '1 Hour'],
  ['chargeType', (c) => c.chargeType],
  ['billingCurrency', () => 'EUR'],
  ['pricingCurrency', () => 'USD'],
  ['costInBillingCurrency', (c) => c.billing],
  ['costInPricingCurrency', (c) => c.pricing],
  ['costInUsd', (c) => c.pricing],
  ['exchangeRatePricingToBilling', () => 0.909091],
  ['tags', (c) => json(c.tags)],
  ['pricingModel', (c) => (c.chargeType === 'Usage' ? 'OnDemand' : 'Reservation')],
  ['benefitName', (c) => (c.chargeType === 'Usage' ? '' : 'VM_RI_1')],
];

/** The charges as records of the columns: column → text or number, undefined where the cell is empty. */
export const records = (columns: readonly Column[], list: readonly Charge[]) => columnRecords(columns, list);

/** The charges as a CSV export of the columns. */
export const csv = (columns: readonly Column[], list: readonly Charge[]) => columnCsv(columns, list);

/** The MCA charges as JSON lines, as an export to JSON would write them: numbers, nulls, tags as an object. */
export function jsonLines(list: Charge[]): string {
  const record = (c: Charge, i: number) =>
    Object.fromEntries(
      MCA.map(([name, value]) => {
        const v = name === 'tags' ? c.tags : value(c, i);
        return [name, v === '' || v === undefined ? null : v];
      }),
    );
  return `${list.map((c, i) => JSON.stringify(record(c, i))).join('\n')}\n`;
}

/** The plugin's `cost_measure`: the money column read. */
export type Measure = 'billing' | 'pricing' | 'usd';
/** A charge's cost in the measure's column (MCA's costInUsd is the pricing cost, priced in USD). */
export const expectedCost = (c: Charge, measure: Measure) => (measure === 'billing' ? c.billing : c.pricing);
export const currencyOf = (measure: Measure) => (measure === 'billing' ? 'EUR' : 'USD');

export type AzureSchema = 'ea' | 'ea-legacy' | 'mca';
const SCHEMAS: Record<AzureSchema, { columns: Column[]; measures: readonly Measure[] }> = {
  ea: { columns: EA, measures: ['billing', 'pricing'] },
  // The older EA files have one money column (Cost, the billing cost).
  'ea-legacy': { columns: EA_LEGACY, measures: ['billing'] },
  mca: { columns: MCA, measures: ['billing', 'pricing', 'usd'] },
};

/**
 * The charges as an export of the schema, read with the measure. Only MCA has costInUsd, and
 * the older EA files no CostInPricingCurrency: the schema's missing measures throw.
 */
export function azureFixture(schema: AzureSchema, measure: Measure = 'billing'): ExportFixture {
  const { columns, measures } = SCHEMAS[schema];
  if (!measures.includes(measure)) throw new Error(`the ${schema} schema has no column for cost_measure ${measure}`);
  const list = charges();
  return {
    pluginId: 'azure-cost-export',
    plugin: makeAzureExportPlugin,
    options: { cost_measure: measure, currency: currencyOf(measure) },
    records: records(columns, list),
    csv: () => csv(columns, list),
    ...(schema === 'mca' ? { jsonLines: () => jsonLines(list) } : {}),
    expected: {
      rows: list.length,
      sums: sums(list.map((c) => ({ cost: expectedCost(c, measure), month: c.date.slice(0, 7), account: c.subscription }))),
    },
  };
}
