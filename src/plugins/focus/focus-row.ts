import type { CostInfo } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { checkCurrency } from '../exports/export-plugin.js';
import { chargeDay, lacksColumn, number, present } from '../exports/values.js';
import { parseTags } from './tags.js';

/**
 * One FOCUS cost-and-usage row → a cost row (FOCUS 1.0–1.2 column names). The mapped columns
 * become the canonical fields; every other non-empty column goes to `data` when it is a FOCUS
 * number (costs, quantities, prices) and to `additional_info` otherwise. `NULL` (as exports
 * write it) is an empty value. The account (`SubAccountId`, else `BillingAccountId`) is also
 * `additional_info["Account ID"]`, where upstream's plugins put it. Errors name the row.
 */
const MAPPED = new Map<string, keyof CostInfo>([
  ['ConsumedQuantity', 'usage_quantity'],
  ['ConsumedUnit', 'usage_unit'],
  ['ProviderName', 'provider'],
  ['RegionId', 'region_code'],
  ['ServiceName', 'product'],
  ['SkuId', 'usage_type'],
  ['ResourceId', 'resource'],
  ['Tags', 'tags'],
  ['ChargePeriodStart', 'billed_date'],
]);
/** The mapped text columns, copied as they are. */
const TEXT_FIELDS = [...MAPPED].filter(([, field]) => field !== 'usage_quantity' && field !== 'tags' && field !== 'billed_date');

/** Whether a column is a FOCUS number (costs, quantities, prices): decided once per column name. */
const numericColumns = new Map<string, boolean>();
function isNumeric(column: string): boolean {
  let numeric = numericColumns.get(column);
  if (numeric === undefined) {
    numeric = /(Cost|Quantity|UnitPrice)$/.test(column);
    if (numericColumns.size < 10_000) numericColumns.set(column, numeric);
  }
  return numeric;
}

/** The cost measures a FOCUS row has; `options.cost_column` picks one (default BilledCost). */
export const COST_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

/** The UTC day a FOCUS row's charge period starts on. */
export function focusDay(values: Record<string, string>, row: number): string {
  return chargeDay(values.ChargePeriodStart, 'ChargePeriodStart', row);
}

export interface FocusSettings {
  readonly costColumn: CostColumn;
  /** The data source's currency: a row billed in another one fails the task. */
  readonly currency: string;
}

export function focusRow(values: Record<string, string>, row: number, billedDate: string, settings: FocusSettings): CostInfo {
  const cost = present(values[settings.costColumn]);
  if (lacksColumn(values, values[settings.costColumn] !== undefined)) {
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${settings.costColumn})`);
  }
  checkCurrency(present(values.BillingCurrency), settings.currency, 'BillingCurrency', row);
  const out: CostInfo = {
    cost: cost === '' ? 0 : number(cost, settings.costColumn, row),
    billed_date: billedDate,
    tags: parseTags(present(values.Tags), row),
    additional_info: {},
    data: {},
  };
  const quantity = present(values.ConsumedQuantity);
  if (quantity) out.usage_quantity = number(quantity, 'ConsumedQuantity', row);
  for (const [column, field] of TEXT_FIELDS) {
    const value = present(values[column]);
    if (value) (out as Record<string, unknown>)[field] = value;
  }
  for (const column in values) {
    const value = present(values[column]);
    if (value === '' || MAPPED.has(column) || column === settings.costColumn) continue;
    if (isNumeric(column)) out.data![column] = number(value, column, row);
    else out.additional_info![column] = value;
  }
  const account = present(values.SubAccountId) || present(values.BillingAccountId);
  if (account) out.additional_info!['Account ID'] = account;
  return out;
}
