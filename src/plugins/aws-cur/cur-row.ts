import { checkCurrency } from '../exports/export-plugin.js';
import { chargeDay, lacksColumn, number, present } from '../exports/values.js';
import type { CostInfo } from '../plugin.js';
import { isPrototypeKey } from '../../query/input.js';
import { PluginError } from '../plugin.js';

/**
 * One AWS CUR line item (columns in CUR 2.0 spelling, cur-columns.ts) → a cost row.
 * docs/plugins/aws-cur.md has the mapping table. The cost measure is `options.cost_measure`:
 * unblended (the default), net_unblended, blended, or amortized (AWS's amortized cost: the
 * effective cost of usage that a Savings Plan or reservation covered, the unused part of
 * their fees, and none of the upfront fees or negations, which amortization replaces).
 */
export const COST_MEASURES = ['unblended', 'net_unblended', 'blended', 'amortized'] as const;
export type CostMeasure = (typeof COST_MEASURES)[number];

export interface CurSettings {
  readonly costMeasure: CostMeasure;
  readonly currency: string;
}

const MEASURE_COLUMN: Record<Exclude<CostMeasure, 'amortized'>, string> = {
  unblended: 'line_item_unblended_cost',
  net_unblended: 'line_item_net_unblended_cost',
  blended: 'line_item_blended_cost',
};

/** Columns kept in additional_info, under upstream's names where its AWS plugin has one. */
const ADDITIONAL: Record<string, string> = {
  line_item_usage_account_id: 'Account ID',
  bill_payer_account_id: 'Payer Account ID',
  line_item_line_item_type: 'Line Item Type',
  line_item_operation: 'Operation',
  product_product_name: 'Product Name',
  line_item_line_item_description: 'Description',
  bill_billing_entity: 'Billing Entity',
};

/** Columns that are numbers, kept in `data`. */
const DATA = [
  'line_item_unblended_cost',
  'line_item_net_unblended_cost',
  'line_item_blended_cost',
  'line_item_unblended_rate',
  'pricing_public_on_demand_cost',
  'savings_plan_savings_plan_effective_cost',
  'reservation_effective_cost',
];

export function curDay(values: Record<string, string>, row: number): string {
  if (values.line_item_usage_start_date === undefined) {
    throw new PluginError(
      'ERROR_REQUIRED_PARAMETER',
      `row ${row}: Required parameter. (key = lineItem/UsageStartDate or line_item_usage_start_date)`,
    );
  }
  return chargeDay(values.line_item_usage_start_date, 'line_item_usage_start_date', row);
}

function amount(values: Record<string, string>, column: string, row: number): number {
  const value = present(values[column]);
  return value === '' ? 0 : number(value, column, row);
}

function cost(values: Record<string, string>, row: number, measure: CostMeasure): number {
  if (measure !== 'amortized') {
    const column = MEASURE_COLUMN[measure];
    if (lacksColumn(values, values[column] !== undefined))
      throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${column})`);
    return amount(values, column, row);
  }
  switch (present(values.line_item_line_item_type)) {
    case 'SavingsPlanCoveredUsage':
      return amount(values, 'savings_plan_savings_plan_effective_cost', row);
    case 'SavingsPlanRecurringFee':
      return amount(values, 'savings_plan_total_commitment_to_date', row) - amount(values, 'savings_plan_used_commitment', row);
    case 'SavingsPlanNegation':
    case 'SavingsPlanUpfrontFee':
      return 0;
    case 'DiscountedUsage':
      return amount(values, 'reservation_effective_cost', row);
    case 'RIFee':
      return (
        amount(values, 'reservation_unused_amortized_upfront_fee_for_billing_period', row) +
        amount(values, 'reservation_unused_recurring_fee', row)
      );
    case 'Fee':
      return present(values.reservation_reservation_a_r_n) || present(values.reservation_reservation_arn)
        ? 0
        : amount(values, 'line_item_unblended_cost', row);
    default:
      return amount(values, 'line_item_unblended_cost', row);
  }
}

/** Legacy `resource_tags/user:Name` columns, or CUR 2.0's `resource_tags` JSON map column. */
function tags(values: Record<string, string>, row: number): Record<string, string> {
  const out: [string, string][] = [];
  const map = present(values.resource_tags);
  if (map) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(map);
    } catch {
      throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: resource_tags is not a JSON object`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: resource_tags is not a JSON object`);
    }
    for (const [key, value] of Object.entries(parsed)) if (value !== null && value !== '') out.push([key, String(value)]);
  }
  for (const [column, raw] of Object.entries(values)) {
    const value = present(raw);
    if (column.startsWith('resource_tags/') && value !== '') out.push([column.slice('resource_tags/'.length), value]);
  }
  for (const [key] of out) {
    if (isPrototypeKey(key)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `row ${row}: a resource tag is named "${key}", which is not allowed`);
    }
  }
  return Object.fromEntries(out);
}

export function curRow(values: Record<string, string>, row: number, day: string, settings: CurSettings): CostInfo {
  checkCurrency(present(values.line_item_currency_code), settings.currency, 'line_item_currency_code', row);
  const out: CostInfo = {
    cost: cost(values, row, settings.costMeasure),
    billed_date: day,
    provider: 'aws',
    tags: tags(values, row),
    additional_info: {},
    data: {},
  };
  const quantity = present(values.line_item_usage_amount);
  if (quantity) out.usage_quantity = number(quantity, 'line_item_usage_amount', row);
  const text: [keyof CostInfo, string][] = [
    ['usage_unit', present(values.pricing_unit)],
    ['region_code', present(values.product_region_code) || present(values.product_region)],
    ['product', present(values.line_item_product_code)],
    ['usage_type', present(values.line_item_usage_type)],
    ['resource', present(values.line_item_resource_id)],
  ];
  for (const [field, value] of text) if (value) (out as Record<string, unknown>)[field] = value;
  for (const [column, name] of Object.entries(ADDITIONAL)) {
    const value = present(values[column]);
    if (value) out.additional_info![name] = value;
  }
  for (const column of DATA) {
    const value = present(values[column]);
    if (value) out.data![column] = number(value, column, row);
  }
  return out;
}
