import { isCalendarDate } from '../../domain/time.js';
import type { CostInfo, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';

/**
 * The http-file plugin's row mapping (spec §8): trim → field_mapper → default_vars →
 * billed_date → numbers. `null` means "skip this row" (a non-numeric cost, as upstream).
 */
export interface HttpFileOptions {
  /** canonical field → CSV column; for additional_info, data and tags: key → column. */
  fieldMapper: Record<string, unknown>;
  /** constant values set on every row (over the CSV's). */
  defaultVars: Record<string, unknown>;
  currency?: string;
  provider?: string;
}

const TEXT_FIELDS = ['usage_type', 'usage_unit', 'provider', 'region_code', 'product', 'resource'] as const;
const MAPS = ['additional_info', 'data', 'tags'] as const;

export function parseHttpFileOptions(options: Struct): HttpFileOptions {
  const object = (value: unknown, key: string): Record<string, unknown> => {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value))
      throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `options.${key} must be an object`);
    return value as Record<string, unknown>;
  };
  return {
    fieldMapper: object(options.field_mapper, 'field_mapper'),
    defaultVars: object(options.default_vars, 'default_vars'),
    currency: typeof options.currency === 'string' ? options.currency : undefined,
    provider: typeof options.provider === 'string' ? options.provider : undefined,
  };
}

export function mapRow(values: Record<string, string>, row: number, options: HttpFileOptions): CostInfo | null {
  const record: Record<string, unknown> = { ...values };
  for (const [field, column] of Object.entries(options.fieldMapper)) {
    if ((MAPS as readonly string[]).includes(field) && column && typeof column === 'object') {
      record[field] = Object.fromEntries(Object.entries(column).map(([key, col]) => [key, values[String(col)] ?? '']));
    } else if (typeof column === 'string') {
      record[field] = values[column];
    }
  }
  Object.assign(record, options.defaultVars);
  if (record.currency === undefined && options.currency) record.currency = options.currency;
  if (record.provider === undefined && options.provider) record.provider = options.provider;

  const billedDate = billedDateOf(record, row);
  const cost = decimal(record.cost);
  if (record.cost === undefined || record.cost === '')
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = cost)`);
  if (cost === null) return null;
  if (!record.currency) throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = currency)`);
  const usage = decimal(record.usage_quantity);
  if (usage === null && record.usage_quantity !== undefined && record.usage_quantity !== '') return null;

  const out: CostInfo = { cost, usage_quantity: usage ?? 0, billed_date: billedDate, resource: text(record.resource) ?? '' };
  for (const field of TEXT_FIELDS) {
    const value = text(record[field]);
    if (value !== undefined && field !== 'resource') out[field] = value;
  }
  out.additional_info = stringMap(record.additional_info);
  out.tags = stringMap(record.tags);
  out.data = Object.fromEntries(
    Object.entries(objectOf(record.data)).map(([key, value]) => [key, value === '' ? 0 : (decimal(value) ?? value)]),
  );
  return out;
}

/** `billed_date` parsed leniently, else `year`, `month`, `day` (default 01); rendered YYYY-MM-DD. */
function billedDateOf(record: Record<string, unknown>, row: number): string {
  const raw = text(record.billed_date);
  if (raw) {
    const match = /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})(?:$|[T\s])/.exec(raw);
    const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : new Date(raw);
    const valid = !Number.isNaN(date.getTime()) && (!match || date.getUTCDate() === +match[3]);
    if (!valid) throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: billed_date "${raw}" is not a date (YYYY-MM-DD)`);
    return date.toISOString().slice(0, 10);
  }
  const year = text(record.year);
  const month = text(record.month);
  if (!year || !month)
    throw new PluginError('ERROR_EMPTY_BILLED_DATE', `row ${row}: no billed_date, and no year and month to build it from`);
  const day = text(record.day) || '01';
  const date = `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  if (!isCalendarDate(date)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: year/month/day "${year}/${month}/${day}" is not a date`);
  }
  return date;
}

function decimal(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value.replace(/,/g, ''));
  return Number.isFinite(parsed) ? parsed : null;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

const objectOf = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(objectOf(value))
      .filter(([, v]) => v !== undefined && v !== null && v !== '')
      .map(([k, v]) => [k, String(v)]),
  );
}
