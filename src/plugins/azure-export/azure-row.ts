import { checkCurrency, choiceOption, currencyOption } from '../exports/export-plugin.js';
import { chargeDay, lacksColumn, number } from '../exports/values.js';
import type { CostInfo, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { type AzureField, hasColumn, pick, SPELLED } from './azure-columns.js';
import { azureTags } from './azure-tags.js';

/**
 * One Azure cost-details row (columns read through azure-columns.ts) → a cost row.
 * docs/plugins/azure-cost-export.md has the mapping table. `options.cost_measure` picks the
 * money column: `billing` (CostInBillingCurrency, the invoice's currency; the default),
 * `pricing` (CostInPricingCurrency, the price sheet's currency) or `usd` (costInUsd, which only
 * MCA exports write). Actual-cost and amortized-cost exports have the same columns; which one a
 * file is decides whether purchases are spread, so the row is read the same way for both.
 */
export const COST_MEASURES = ['billing', 'pricing', 'usd'] as const;
export type CostMeasure = (typeof COST_MEASURES)[number];

export interface AzureSettings {
  readonly costMeasure: CostMeasure;
  readonly currency: string;
}

const MEASURE_FIELD: Record<CostMeasure, AzureField> = { billing: 'billingCost', pricing: 'pricingCost', usd: 'usdCost' };

export function azureSettings(options: Struct | undefined): AzureSettings {
  const costMeasure = choiceOption(options, 'cost_measure', COST_MEASURES);
  const currency = currencyOption(options);
  if (costMeasure === 'usd' && currency !== 'USD') {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER',
      `options.cost_measure usd gives costs in USD, so options.currency must be USD (not ${currency})`,
    );
  }
  return { costMeasure, currency };
}

export function azureDay(values: Record<string, string>, row: number): string {
  if (!hasColumn(values, 'date')) {
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${SPELLED.date})`);
  }
  // EA exports write US dates (MM/DD/YYYY), MCA exports ISO ones; chargeDay reads both.
  return chargeDay(pick(values, 'date'), 'Date', row);
}

function cost(values: Record<string, string>, row: number, measure: CostMeasure): number {
  const field = MEASURE_FIELD[measure];
  if (lacksColumn(values, hasColumn(values, field))) {
    if (measure === 'usd') {
      throw new PluginError(
        'ERROR_REQUIRED_PARAMETER',
        `row ${row}: options.cost_measure usd reads costInUsd, which this export does not have (only MCA exports write it); use cost_measure billing or pricing`,
      );
    }
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${SPELLED[field]})`);
  }
  const value = pick(values, field);
  // Refunds and credits are negative, and stay so: they lower the month they are billed in.
  return value === '' ? 0 : number(value, SPELLED[field]!, row);
}

/** The currency the measure's column is in; a file without a pricing-currency column is taken to price in its billing currency. */
function currencyCheck(values: Record<string, string>, row: number, settings: AzureSettings): void {
  if (settings.costMeasure === 'usd') return;
  if (settings.costMeasure === 'pricing' && hasColumn(values, 'pricingCurrency')) {
    checkCurrency(pick(values, 'pricingCurrency'), settings.currency, 'PricingCurrency', row);
    return;
  }
  checkCurrency(pick(values, 'billingCurrency'), settings.currency, 'BillingCurrency', row);
}

/** additional_info, under the names upstream's Azure plugin gives them. */
const ADDITIONAL: [string, AzureField][] = [
  ['Account ID', 'subscription'],
  ['Subscription Name', 'subscriptionName'],
  ['Resource Group', 'resourceGroup'],
  ['Meter Id', 'meterId'],
  ['Meter SubCategory', 'meterSubCategory'],
  ['Meter Name', 'meterName'],
  ['Consumed Service', 'consumedService'],
  ['Product Name', 'productName'],
  ['Service Family', 'serviceFamily'],
  ['Charge Type', 'chargeType'],
  ['Pricing Model', 'pricingModel'],
  ['Frequency', 'frequency'],
  ['Term', 'term'],
  ['Publisher Type', 'publisherType'],
  ['Publisher Name', 'publisherName'],
  ['Reservation Id', 'reservationId'],
  ['Reservation Name', 'reservationName'],
  ['Benefit Id', 'benefitId'],
  ['Benefit Name', 'benefitName'],
  ['Billing Account Id', 'billingAccountId'],
  ['Billing Account Name', 'billingAccountName'],
  ['Billing Profile Id', 'billingProfileId'],
  ['Billing Profile Name', 'billingProfileName'],
  ['Department Name', 'invoiceSection'],
  ['Enrollment Account Name', 'enrollmentAccount'],
  ['Cost Center', 'costCenter'],
  ['Cost Metric', 'metric'],
];

/** Numbers kept in `data`, under Azure's current column names. */
const DATA: [string, AzureField][] = [
  ['CostInBillingCurrency', 'billingCost'],
  ['CostInPricingCurrency', 'pricingCost'],
  ['CostInUsd', 'usdCost'],
  ['PaygCostInBillingCurrency', 'paygBillingCost'],
  ['PaygCostInUsd', 'paygUsdCost'],
  ['EffectivePrice', 'effectivePrice'],
  ['UnitPrice', 'unitPrice'],
  ['PayGPrice', 'paygPrice'],
  ['ExchangeRatePricingToBilling', 'exchangeRate'],
];

export function azureRow(values: Record<string, string>, row: number, day: string, settings: AzureSettings): CostInfo {
  currencyCheck(values, row, settings);
  const out: CostInfo = {
    cost: cost(values, row, settings.costMeasure),
    billed_date: day,
    provider: 'azure',
    tags: azureTags(pick(values, 'tags'), row),
    additional_info: {},
    data: {},
  };
  const quantity = pick(values, 'quantity');
  if (quantity) out.usage_quantity = number(quantity, SPELLED.quantity!, row);
  const meterName = pick(values, 'meterName');
  const meterCategory = pick(values, 'meterCategory');
  const text: [keyof CostInfo, string][] = [
    ['usage_unit', pick(values, 'unit')],
    // Lower case, as upstream's Azure plugin gives it: exports write `EastUS` and `eastus` alike.
    ['region_code', pick(values, 'location').toLowerCase()],
    // Purchases and Marketplace charges often have no meter category.
    ['product', meterCategory || pick(values, 'consumedService') || pick(values, 'productName')],
    ['usage_type', meterName || pick(values, 'meterSubCategory')],
    ['resource', pick(values, 'resource')],
  ];
  for (const [field, value] of text) if (value) (out as Record<string, unknown>)[field] = value;
  for (const [name, field] of ADDITIONAL) {
    const value = pick(values, field);
    if (value) out.additional_info![name] = value;
  }
  if (meterCategory === 'Virtual Machines' && meterName) out.additional_info!['Instance Type'] = meterName;
  for (const [name, field] of DATA) {
    const value = pick(values, field);
    if (value) out.data![name] = number(value, name, row);
  }
  return out;
}
