import { checkCurrency, choiceOption, currencyOption, type Nested } from '../exports/export-plugin.js';
import type { CostInfo, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { amount, amountOf, day, entries, hasField, text } from './gcp-fields.js';
import { gcpTags } from './gcp-labels.js';

/**
 * One row of the Cloud Billing export to BigQuery — standard (`gcp_billing_export_v1_…`) or
 * detailed (`gcp_billing_export_resource_v1_…`, which adds `resource`) — → a cost row.
 * docs/plugins/gcp-billing-export.md has the mapping table.
 *
 * `cost` is before credits: Google writes each credit (committed-use and sustained-use
 * discounts, free tier, promotions, …) into the `credits` of the row it reduces, as a negative
 * amount, rather than as a row of its own. So the default measure, `with_credits`, is
 * `cost` + Σ `credits[].amount`, what the invoice charges; `without_credits` is `cost` alone;
 * `list` is `cost_at_list` (list prices, before negotiated pricing and credits). Tax,
 * adjustment and rounding-error rows (`cost_type`) are rows like any other, sign kept.
 */
export const COST_MEASURES = ['with_credits', 'without_credits', 'list'] as const;
export type CostMeasure = (typeof COST_MEASURES)[number];

export interface GcpSettings {
  readonly costMeasure: CostMeasure;
  readonly currency: string;
}

export function gcpSettings(options: Struct | undefined): GcpSettings {
  return { costMeasure: choiceOption(options, 'cost_measure', COST_MEASURES), currency: currencyOption(options) };
}

/** The UTC day a row's usage starts on (FOCUS ChargePeriodStart); not `invoice.month`, which may be the next month's. */
export function gcpDay(values: Nested, row: number): string {
  return day(values, 'usage_start_time', row);
}

/** Text fields kept in additional_info, under the names upstream's Google Cloud plugin uses where it has one. */
const ADDITIONAL: [path: string, name: string][] = [
  ['billing_account_id', 'Billing Account ID'],
  ['project.id', 'Project ID'],
  ['project.name', 'Project Name'],
  ['invoice.month', 'Invoice Month'],
  ['cost_type', 'Cost Type'],
  ['service.id', 'Service ID'],
  ['sku.id', 'SKU ID'],
  ['location.zone', 'Zone'],
  ['resource.global_name', 'Resource Global Name'],
  ['transaction_type', 'Transaction Type'],
  ['seller_name', 'Seller Name'],
  ['adjustment_info.type', 'Adjustment Type'],
  ['adjustment_info.description', 'Adjustment Description'],
  ['usage.pricing_unit', 'Pricing Unit'],
];

/** Number fields kept in `data` as they are. */
const DATA: [path: string, key: string][] = [
  ['cost_at_list', 'cost_at_list'],
  ['currency_conversion_rate', 'currency_conversion_rate'],
  ['usage.amount_in_pricing_units', 'usage_amount_in_pricing_units'],
  ['price.effective_price', 'effective_price'],
];

export function gcpRow(values: Nested, row: number, billedDate: string, settings: GcpSettings): CostInfo {
  checkCurrency(text(values, 'currency'), settings.currency, 'currency', row);
  const before = amount(values, 'cost', row);
  if (before === undefined) {
    throw new PluginError(
      'ERROR_REQUIRED_PARAMETER',
      `row ${row}: Required parameter. (key = cost${hasField(values, 'cost') ? ', which is empty' : '; is this a Cloud Billing export?'})`,
    );
  }
  const credits = creditsTotal(values, row);
  const out: CostInfo = {
    cost: measure(values, row, settings.costMeasure, before, credits),
    billed_date: billedDate,
    provider: 'google_cloud',
    tags: gcpTags(values, row),
    additional_info: {},
    data: { cost_without_credits: before, credits_total: credits },
  };
  const quantity = amount(values, 'usage.amount', row);
  if (quantity !== undefined) out.usage_quantity = quantity;
  const fields: [keyof CostInfo, string][] = [
    ['usage_unit', text(values, 'usage.unit')],
    ['region_code', text(values, 'location.region') || text(values, 'location.location')],
    ['product', text(values, 'service.description')],
    ['usage_type', text(values, 'sku.description')],
    ['resource', text(values, 'resource.name')],
  ];
  for (const [name, value] of fields) if (value) (out as Record<string, unknown>)[name] = value;
  for (const [path, name] of ADDITIONAL) {
    const value = text(values, path);
    if (value) out.additional_info![name] = value;
  }
  // The project is the account (FOCUS SubAccountId); rows of no project (taxes, some
  // adjustments) belong to the billing account (FOCUS BillingAccountId).
  const account = text(values, 'project.id') || text(values, 'billing_account_id');
  if (account) out.additional_info!['Account ID'] = account;
  for (const [path, key] of DATA) {
    const value = amount(values, path, row);
    if (value !== undefined) out.data![key] = value;
  }
  return out;
}

function measure(values: Nested, row: number, costMeasure: CostMeasure, before: number, credits: number): number {
  if (costMeasure === 'with_credits') return before + credits;
  if (costMeasure === 'without_credits') return before;
  const list = amount(values, 'cost_at_list', row);
  if (list === undefined) {
    throw new PluginError(
      'ERROR_REQUIRED_PARAMETER',
      `row ${row}: options.cost_measure list reads cost_at_list, which this row has not (older exports lack it; use with_credits or without_credits)`,
    );
  }
  return list;
}

/** Σ credits[].amount: negative, as Google writes credits. */
function creditsTotal(values: Nested, row: number): number {
  let total = 0;
  for (const [i, credit] of entries(values, 'credits', row).entries()) {
    total += amountOf(credit.amount, `credits[${i}].amount`, row) ?? 0;
  }
  return total;
}
