import type { CostInfo } from '../plugin.js';
import { PluginError } from '../plugin.js';

/**
 * One FOCUS cost-and-usage row → a cost row. The mapped columns become the canonical fields;
 * every other non-empty column goes to `data` when it is a FOCUS number (costs, quantities,
 * prices) and to `additional_info` otherwise. Errors name the row.
 */
const MAPPED: Record<string, keyof CostInfo> = {
  BilledCost: 'cost',
  ConsumedQuantity: 'usage_quantity',
  ConsumedUnit: 'usage_unit',
  ProviderName: 'provider',
  RegionId: 'region_code',
  ServiceName: 'product',
  SkuId: 'usage_type',
  ResourceId: 'resource',
  Tags: 'tags',
  ChargePeriodStart: 'billed_date',
};
const NUMERIC = /(Cost|Quantity|UnitPrice)$/;

/** The UTC day a FOCUS timestamp (ISO 8601, e.g. `2025-08-01T00:00:00Z`) falls on. */
export function chargeDay(value: string | undefined, row: number): string {
  const date = value ? new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) || value.length <= 10 ? value : `${value}Z`) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER_TYPE',
      `row ${row}: ChargePeriodStart ${JSON.stringify(value ?? '')} is not an ISO 8601 date-time`,
    );
  }
  return date.toISOString().slice(0, 10);
}

function number(value: string, column: string, row: number): number {
  const parsed = Number(value);
  if (value === '' || !Number.isFinite(parsed)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: ${column} ${JSON.stringify(value)} is not a number`);
  }
  return parsed;
}

function tags(value: string, row: number): Record<string, string> {
  if (value === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: Tags is not a JSON object`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: Tags is not a JSON object`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
}

export function focusRow(values: Record<string, string>, row: number, billedDate: string): CostInfo {
  if (values.BilledCost === undefined)
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = BilledCost)`);
  const out: CostInfo = {
    cost: number(values.BilledCost, 'BilledCost', row),
    billed_date: billedDate,
    tags: tags(values.Tags ?? '', row),
    additional_info: {},
    data: {},
  };
  if (values.ConsumedQuantity) out.usage_quantity = number(values.ConsumedQuantity, 'ConsumedQuantity', row);
  for (const [column, field] of Object.entries(MAPPED)) {
    if (field === 'cost' || field === 'usage_quantity' || field === 'tags' || field === 'billed_date') continue;
    const value = values[column];
    if (value) (out as Record<string, unknown>)[field] = value;
  }
  for (const [column, value] of Object.entries(values)) {
    if (column in MAPPED || value === '') continue;
    if (NUMERIC.test(column)) out.data![column] = number(value, column, row);
    else out.additional_info![column] = value;
  }
  return out;
}
