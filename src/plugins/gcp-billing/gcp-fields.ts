import type { Nested } from '../exports/export-plugin.js';
import { chargeDay, number, present } from '../exports/values.js';
import { PluginError } from '../plugin.js';

/**
 * Fields of a Cloud Billing export row, however the row reached us. BigQuery's JSON lines and
 * Parquet exports keep the table's nesting (`service: {description}`, `labels: [{key, value}]`);
 * CSV cannot hold nested columns, so a CSV export comes from a flattening query whose columns
 * are named `service_description` (a SQL alias cannot hold a dot) or, from tools that flatten
 * for you, `service.description`, with repeated fields as JSON text (`TO_JSON_STRING(labels)`).
 * One path (`service.description`) finds the value in all three.
 *
 * BigQuery's JSON leaves NULL fields out, so an absent field and a null are the same: no value.
 * Its JSON writes INT64 as strings and Parquet readers give them as bigint; TIMESTAMP arrives as
 * `2025-08-01 07:00:00 UTC` text or as a Date.
 */
export function field(values: Nested, path: string): unknown {
  const dot = path.indexOf('.');
  if (dot === -1) return own(values, path);
  const parent = own(values, path.slice(0, dot));
  if (isRecord(parent)) {
    const inner = own(parent, path.slice(dot + 1));
    if (inner !== undefined) return inner;
  }
  return own(values, path) ?? own(values, `${path.slice(0, dot)}_${path.slice(dot + 1)}`);
}

/** Whether the row has `path` at all, null or not (a file of another kind has not `cost`). */
export function hasField(values: Nested, path: string): boolean {
  const dot = path.indexOf('.');
  if (dot === -1) return Object.hasOwn(values, path);
  const parent = own(values, path.slice(0, dot));
  if (isRecord(parent) && Object.hasOwn(parent, path.slice(dot + 1))) return true;
  return Object.hasOwn(values, path) || Object.hasOwn(values, `${path.slice(0, dot)}_${path.slice(dot + 1)}`);
}

/** A text field: trimmed, `NULL` (as CSV exports may write it) and null are ''. */
export function text(values: Nested, path: string): string {
  return textOf(field(values, path));
}

export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return present(value.trim());
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? String(inner) : inner));
  return String(value);
}

/** A number field (FLOAT64, NUMERIC, or INT64 as a string or bigint); no value is undefined. */
export function amount(values: Nested, path: string, row: number): number | undefined {
  return amountOf(field(values, path), path, row);
}

export function amountOf(value: unknown, path: string, row: number): number | undefined {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'bigint') {
    return Number(value);
  } else {
    const written = textOf(value);
    return written === '' ? undefined : number(written, path, row);
  }
  throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: ${path} ${value} is not a number`);
}

/** The UTC day of a TIMESTAMP field; a missing one is a clear error naming the row. */
export function day(values: Nested, path: string, row: number): string {
  const value = field(values, path);
  if (value === undefined || value === null) {
    throw new PluginError(
      'ERROR_REQUIRED_PARAMETER',
      `row ${row}: Required parameter. (key = ${path}; is this a Cloud Billing export, gcp_billing_export_v1_… or gcp_billing_export_resource_v1_…?)`,
    );
  }
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
  return chargeDay(textOf(value), path, row);
}

/**
 * A repeated RECORD field (`labels`, `credits`): an array of objects, or — from CSV — its JSON
 * text. No value is no entries.
 */
export function entries(values: Nested, path: string, row: number): Nested[] {
  let value = field(values, path);
  if (typeof value === 'string') {
    const written = present(value.trim());
    if (written === '') return [];
    try {
      value = JSON.parse(written);
    } catch {
      value = undefined;
    }
    if (!Array.isArray(value)) throw notEntries(path, row);
  }
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isRecord)) throw notEntries(path, row);
  return value;
}

function notEntries(path: string, row: number): PluginError {
  return new PluginError(
    'ERROR_INVALID_PARAMETER_TYPE',
    `row ${row}: ${path} is not a list of records (in CSV, write it as JSON: TO_JSON_STRING(${path}))`,
  );
}

function own(values: Nested, key: string): unknown {
  return Object.hasOwn(values, key) ? values[key] : undefined;
}

function isRecord(value: unknown): value is Nested {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}
