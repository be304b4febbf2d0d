import type { ChangedWindow } from '../store/rows.js';

/**
 * "changed" windows (spec §1.6, §4.6): a plugin declares that its new rows replace everything
 * earlier jobs of the data source wrote in billed months [start, end] (end inclusive, open when
 * absent) that match `filter` (equality on cost fields). Months are compared as `YYYY-MM`.
 *
 * Plugins send `YYYY-MM`, sometimes `YYYY` or a full date or timestamp; we normalise to months
 * (`YYYY` means January as a start and December as an end) and reject anything else when the
 * job is planned, before a row is written.
 */

/** Cost columns a window's filter may name directly; JSON fields take a dotted key. */
const FILTER_COLUMNS = new Set([
  'provider',
  'region_code',
  'region_key',
  'product',
  'usage_type',
  'usage_unit',
  'resource',
  'account_id',
  'service_account_id',
  'project_id',
  'workspace_id',
  'billed_year',
]);
const FILTER_JSON_COLUMNS = new Set(['tags', 'additional_info', 'data']);

export class ChangedError extends Error {}

function month(value: unknown, edge: 'start' | 'end', where: string): string {
  if (typeof value !== 'string') throw new ChangedError(`${where}.${edge} must be a string YYYY-MM`);
  const v = value.trim();
  if (/^\d{4}$/.test(v)) return `${v}-${edge === 'start' ? '01' : '12'}`;
  if (/^\d{4}-(0[1-9]|1[0-2])($|[-T ])/.test(v)) return v.slice(0, 7);
  throw new ChangedError(`${where}.${edge} must be YYYY-MM, got ${JSON.stringify(value)}`);
}

export function normalizeChanged(raw: unknown, where: string): ChangedWindow {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new ChangedError(`${where} must be an object {start, end?, filter?}`);
  const input = raw as Record<string, unknown>;
  const window: ChangedWindow = { start: month(input.start, 'start', where) };
  if (input.end !== undefined && input.end !== null && input.end !== '') {
    window.end = month(input.end, 'end', where);
    if (window.end < window.start) throw new ChangedError(`${where}.end (${window.end}) is before start (${window.start})`);
  }
  if (input.filter !== undefined && input.filter !== null) {
    if (typeof input.filter !== 'object' || Array.isArray(input.filter)) throw new ChangedError(`${where}.filter must be an object`);
    const filter = input.filter as Record<string, unknown>;
    for (const [key, value] of Object.entries(filter)) {
      filterPath(key, where);
      if (value !== null && typeof value === 'object') throw new ChangedError(`${where}.filter.${key} must be a scalar`);
    }
    if (Object.keys(filter).length) window.filter = filter;
  }
  return window;
}

/** A filter key as a column name, or a JSON column and path; unknown keys are rejected. */
function filterPath(key: string, where: string): { column: string; path?: string[] } {
  if (FILTER_COLUMNS.has(key)) return { column: key };
  const dot = key.indexOf('.');
  const column = dot > 0 ? key.slice(0, dot) : '';
  if (FILTER_JSON_COLUMNS.has(column) && key.length > dot + 1) return { column, path: key.slice(dot + 1).split('.') };
  throw new ChangedError(`${where}.filter key ${JSON.stringify(key)} is not a cost field`);
}

/**
 * SQL that matches cost rows inside any of `windows`, with values appended to `params`.
 * Column names come only from the lists above; every value is a bound parameter.
 */
export function windowsCondition(windows: readonly ChangedWindow[], params: unknown[]): string {
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const parts = windows.map((w) => {
    const conds = [`billed_month >= ${bind(w.start)}`];
    if (w.end) conds.push(`billed_month <= ${bind(w.end)}`);
    for (const [key, value] of Object.entries(w.filter ?? {})) {
      const { column, path } = filterPath(key, 'changed');
      const text = value === null ? null : String(value);
      const target = path ? `${column} #>> ${bind(path)}::text[]` : column;
      conds.push(text === null ? `${target} IS NULL` : `${target} = ${bind(text)}`);
    }
    return `(${conds.join(' AND ')})`;
  });
  return parts.length ? `(${parts.join(' OR ')})` : 'false';
}
