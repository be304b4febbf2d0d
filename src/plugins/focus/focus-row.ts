import type { CostInfo } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { parseTags } from './tags.js';

/**
 * One FOCUS cost-and-usage row → a cost row (FOCUS 1.0–1.2 column names). The mapped columns
 * become the canonical fields; every other non-empty column goes to `data` when it is a FOCUS
 * number (costs, quantities, prices) and to `additional_info` otherwise. `NULL` (as exports
 * write it) is an empty value. The account (`SubAccountId`, else `BillingAccountId`) is also
 * `additional_info["Account ID"]`, where upstream's plugins put it. Errors name the row.
 */
const MAPPED: Record<string, keyof CostInfo> = {
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

/** The cost measures a FOCUS row has; `options.cost_column` picks one (default BilledCost). */
export const COST_COLUMNS = ['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost'] as const;
export type CostColumn = (typeof COST_COLUMNS)[number];

export interface FocusSettings {
  readonly costColumn: CostColumn;
  /** The data source's currency: a row billed in another one fails the task. */
  readonly currency: string;
}

/** A value as exports write it: trimmed by the parser; `NULL` / `null` is no value. */
export function present(value: string | undefined): string {
  return value === undefined || /^null$/i.test(value) ? '' : value;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/**
 * The UTC day a charge period starts on. Accepted: ISO 8601 with `T` or a space, with or
 * without seconds, fractions, `Z` or an offset (no zone means UTC, as FOCUS requires), a bare
 * date, and US dates `MM/DD/YYYY[ hh:mm[:ss][ AM|PM]]`.
 */
export function chargeDay(raw: string | undefined, row: number): string {
  const value = present(raw);
  const iso = ISO.exec(value);
  const us = iso ? null : US.exec(value);
  let time: number | undefined;
  if (iso) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', zone] = iso;
    time = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s) - offsetMinutes(zone) * 60_000;
    if (!sameDate(+y, +mo, +d)) time = undefined;
  } else if (us) {
    const [, mo, d, y, h = '0', mi = '0', s = '0', meridiem] = us;
    const hour = meridiem ? (+h % 12) + (/pm/i.test(meridiem) ? 12 : 0) : +h;
    time = sameDate(+y, +mo, +d) ? Date.UTC(+y, +mo - 1, +d, hour, +mi, +s) : undefined;
  }
  if (time === undefined || Number.isNaN(time)) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER_TYPE',
      `row ${row}: ChargePeriodStart ${JSON.stringify(value)} is not a date-time (ISO 8601, e.g. 2025-08-01T00:00:00Z)`,
    );
  }
  return new Date(time).toISOString().slice(0, 10);
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^z$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
}

function sameDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function number(value: string, column: string, row: number): number {
  const parsed = Number(value);
  if (value === '' || !Number.isFinite(parsed)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: ${column} ${JSON.stringify(value)} is not a number`);
  }
  return parsed;
}

export function focusRow(values: Record<string, string>, row: number, billedDate: string, settings: FocusSettings): CostInfo {
  const cost = present(values[settings.costColumn]);
  if (values[settings.costColumn] === undefined) {
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${settings.costColumn})`);
  }
  const currency = present(values.BillingCurrency);
  if (currency && currency !== settings.currency) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER',
      `row ${row}: BillingCurrency is ${currency}, the data source's currency is ${settings.currency}; register a data source per currency (options.currency)`,
    );
  }
  const out: CostInfo = {
    cost: cost === '' ? 0 : number(cost, settings.costColumn, row),
    billed_date: billedDate,
    tags: parseTags(present(values.Tags), row),
    additional_info: {},
    data: {},
  };
  const quantity = present(values.ConsumedQuantity);
  if (quantity) out.usage_quantity = number(quantity, 'ConsumedQuantity', row);
  for (const [column, field] of Object.entries(MAPPED)) {
    if (field === 'usage_quantity' || field === 'tags' || field === 'billed_date') continue;
    const value = present(values[column]);
    if (value) (out as Record<string, unknown>)[field] = value;
  }
  for (const [column, raw] of Object.entries(values)) {
    const value = present(raw);
    if (column in MAPPED || column === settings.costColumn || value === '') continue;
    if (NUMERIC.test(column)) out.data![column] = number(value, column, row);
    else out.additional_info![column] = value;
  }
  const account = present(values.SubAccountId) || present(values.BillingAccountId);
  if (account) out.additional_info!['Account ID'] = account;
  return out;
}
