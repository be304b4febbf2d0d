import { PluginError } from '../plugin.js';

/** Values as billing exports write them: empty markers, numbers, timestamps. Errors name the row. */

const SPARSE = Symbol('sparse record');

/**
 * Marks a record of a file without a header (JSON lines): it leaves out the fields it has no
 * value for, so a field it lacks is empty, not a column missing from the file.
 */
export function markSparse<T extends object>(values: T): T {
  (values as { [SPARSE]?: true })[SPARSE] = true;
  return values;
}

/** Whether a record shows its file lacks a required column (`has`: the record has it); a sparse record never does. */
export function lacksColumn(values: object, has: boolean): boolean {
  return !has && !(SPARSE in values);
}

/** A value as exports write it: trimmed by the parser; `NULL` / `null` is no value. */
export function present(value: string | undefined): string {
  return value === undefined || (value.length === 4 && /^null$/i.test(value)) ? '' : value;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

/**
 * The UTC day of a timestamp in an export's column. Accepted: ISO 8601 with `T` or a space, with or
 * without seconds, fractions, `Z`, ` UTC` (BigQuery writes TIMESTAMP as `2025-08-01 07:00:00 UTC`)
 * or an offset (no zone means UTC, as FOCUS requires), a bare date, and US dates
 * `MM/DD/YYYY[ hh:mm[:ss][ AM|PM]]`.
 *
 * Exports repeat their timestamps (every line of an hour has the same), so the days of the
 * last DAY_CACHE_SIZE distinct values are remembered; a value that is not a date is not.
 */
export function chargeDay(raw: string | undefined, column: string, row: number): string {
  const value = present(raw);
  const known = days.get(value);
  if (known !== undefined) return known;
  const day = parseDay(value, column, row);
  if (days.size >= DAY_CACHE_SIZE) days.clear();
  days.set(value, day);
  return day;
}

const DAY_CACHE_SIZE = 4096;
const days = new Map<string, string>();

function parseDay(value: string, column: string, row: number): string {
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
      `row ${row}: ${column} ${JSON.stringify(value)} is not a date-time (ISO 8601, e.g. 2025-08-01T00:00:00Z)`,
    );
  }
  return new Date(time).toISOString().slice(0, 10);
}

function offsetMinutes(zone: string | undefined): number {
  if (!zone || /^(z|utc)$/i.test(zone)) return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
}

function sameDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function number(value: string, column: string, row: number): number {
  const parsed = Number(value);
  if (value === '' || !Number.isFinite(parsed)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: ${column} ${JSON.stringify(value)} is not a number`);
  }
  return parsed;
}
