import { isCalendarDate } from '../domain/time.js';
import { costNumber, type CostInfo } from '../plugins/plugin.js';
import { DEFAULT_ENGINE, type RowLimits } from '../config/config.js';
import type { RowRouter } from './account-routing.js';
import { copyField } from './copy-text.js';

/**
 * Turns the rows a plugin streams into COPY text for the `cost` table, checking each row on
 * the way (spec §1.6): `billed_date` is required and must be a real `YYYY-MM-DD`; `cost` and
 * `usage_quantity` must be numbers (absent means 0); text fields must be text and are trimmed;
 * `tags`, `additional_info` and `data` must be objects. Nothing may hold a NUL character (which
 * PostgreSQL text cannot store), and sizes are bounded (RowLimits: keys per object, characters
 * per value). A bad row fails the task with the row's number, so the plugin author can find it.
 */

export const COST_COPY_COLUMNS = [
  'cost_id',
  'cost',
  'usage_quantity',
  'usage_unit',
  'provider',
  'region_code',
  'region_key',
  'product',
  'usage_type',
  'resource',
  'tags',
  'additional_info',
  'data',
  'account_id',
  'data_source_id',
  'job_id',
  'job_task_id',
  'workspace_id',
  'domain_id',
  'billed_year',
  'billed_month',
  'billed_date',
] as const;

/** Columns every row of one task shares. */
export interface TaskStamp {
  dataSourceId: string;
  jobId: string;
  jobTaskId: string;
  /** The data source's workspace for WORKSPACE sources; null for DOMAIN sources. */
  workspaceId: string | null;
  domainId: string;
  /** With account routing: each row's account, and the workspace a mapped account's rows go to. */
  router?: RowRouter;
}

export class BadRowError extends Error {
  constructor(
    readonly code: 'ERROR_REQUIRED_PARAMETER' | 'ERROR_INVALID_PARAMETER_TYPE' | 'ERROR_INVALID_PARAMETER',
    message: string,
  ) {
    super(message);
    this.name = 'BadRowError';
  }
}

/** Keys seen in a task's rows; merged into the data source's key lists when the job closes. */
export class CostKeys {
  readonly tags = new Set<string>();
  readonly additionalInfo = new Set<string>();
  readonly data = new Set<string>();

  toJSON() {
    return { tags: [...this.tags], additional_info: [...this.additionalInfo], data: [...this.data] };
  }
}

const TEXT_FIELDS = ['usage_unit', 'provider', 'region_code', 'product', 'usage_type', 'resource'] as const;

function tooLong(field: string, chars: number, rowNumber: number, limits: RowLimits): BadRowError {
  return new BadRowError(
    'ERROR_INVALID_PARAMETER',
    `row ${rowNumber}: ${field} has ${chars.toLocaleString('en-US')} characters; at most ${limits.maxValueChars.toLocaleString('en-US')} (COSTSYNC_ROW_MAX_VALUE_CHARS)`,
  );
}

function nul(field: string, rowNumber: number): BadRowError {
  return new BadRowError(
    'ERROR_INVALID_PARAMETER',
    `row ${rowNumber}: ${field} holds a NUL character (\\u0000), which cannot be stored; remove it`,
  );
}

function text(row: CostInfo, field: (typeof TEXT_FIELDS)[number], rowNumber: number, limits: RowLimits): string | null {
  const value = row[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    throw new BadRowError('ERROR_INVALID_PARAMETER_TYPE', `row ${rowNumber}: ${field} must be a string, got ${typeof value}`);
  }
  if (value.length > limits.maxValueChars) throw tooLong(field, value.length, rowNumber, limits);
  if (value.includes('\u0000')) throw nul(field, rowNumber);
  return value.trim();
}

function number(row: CostInfo, field: 'cost' | 'usage_quantity', rowNumber: number): number {
  const value = row[field] as unknown;
  if (value === undefined || value === null) return 0;
  const parsed = costNumber(value);
  if (!Number.isFinite(parsed)) {
    throw new BadRowError(
      'ERROR_INVALID_PARAMETER_TYPE',
      `row ${rowNumber}: ${field} must be a finite number, got ${JSON.stringify(value)}`,
    );
  }
  return parsed;
}

function object(
  row: CostInfo,
  field: 'tags' | 'additional_info' | 'data',
  rowNumber: number,
  keys: Set<string>,
  limits: RowLimits,
): string {
  const value = row[field] as unknown;
  if (value === undefined || value === null) return '{}';
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new BadRowError('ERROR_INVALID_PARAMETER_TYPE', `row ${rowNumber}: ${field} must be an object`);
  }
  let count = 0;
  for (const key in value) {
    if (++count > limits.maxKeys) {
      throw new BadRowError(
        'ERROR_INVALID_PARAMETER',
        `row ${rowNumber}: ${field} has more than ${limits.maxKeys.toLocaleString('en-US')} keys (COSTSYNC_ROW_MAX_KEYS)`,
      );
    }
    keys.add(key);
  }
  const json = JSON.stringify(value);
  if (json.length > limits.maxValueChars) throw tooLong(field, json.length, rowNumber, limits);
  // JSON writes a NUL as \u0000 (after an unescaped backslash), which jsonb refuses.
  if (json.includes('\\u0000') && /(^|[^\\])(\\\\)*\\u0000/.test(json)) throw nul(field, rowNumber);
  return json;
}

/** Rows arrive day by day: the last date checked is almost always the next one. */
let lastValidDate: string | null = null;

function billedDate(row: CostInfo, rowNumber: number): string {
  const value = row.billed_date;
  if (typeof value === 'string' && value === lastValidDate) return value;
  if (value === undefined || value === null || value === '') {
    throw new BadRowError('ERROR_REQUIRED_PARAMETER', `row ${rowNumber}: billed_date is required (key = plugin_cost_data.billed_date)`);
  }
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new BadRowError(
      'ERROR_INVALID_PARAMETER_TYPE',
      `row ${rowNumber}: billed_date must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`,
    );
  }
  lastValidDate = value;
  return value;
}

/**
 * Appends one COPY line per row to `out` and returns how many rows it added. `ids` holds one
 * cost id per row (engine/cost-ids.ts); `firstRowNumber` is the 1-based number of `rows[0]`
 * within the task, for error messages.
 */
export function encodeCostRows(
  rows: readonly CostInfo[],
  ids: readonly string[],
  stamp: TaskStamp,
  keys: CostKeys,
  firstRowNumber: number,
  out: string[],
  limits: RowLimits = DEFAULT_ENGINE.rowLimits,
): number {
  if (ids.length < rows.length) throw new Error(`${rows.length} rows, ${ids.length} cost ids`);
  // account_id … domain_id: the same for every row of the task, unless rows are routed.
  const task = `${copyField(stamp.dataSourceId)}\t${copyField(stamp.jobId)}\t${copyField(stamp.jobTaskId)}`;
  const fixed = `${copyField(null)}\t${task}\t${copyField(stamp.workspaceId)}\t${copyField(stamp.domainId)}`;
  const { router } = stamp;
  const stamped = (row: CostInfo): string => {
    if (!router) return fixed;
    const account = router.accountOf(row);
    const workspace = router.workspaceOf(account) ?? stamp.workspaceId;
    return `${copyField(account)}\t${task}\t${copyField(workspace)}\t${copyField(stamp.domainId)}`;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const n = firstRowNumber + i;
    if (row === null || typeof row !== 'object') {
      throw new BadRowError('ERROR_INVALID_PARAMETER_TYPE', `row ${n}: a cost row must be an object`);
    }
    const date = billedDate(row, n);
    const provider = text(row, 'provider', n, limits);
    const regionCode = text(row, 'region_code', n, limits);
    // One concatenation per row, in COST_COPY_COLUMNS order (this loop is the ingest hot path).
    out.push(
      ids[i] +
        '\t' +
        number(row, 'cost', n) +
        '\t' +
        number(row, 'usage_quantity', n) +
        '\t' +
        copyField(text(row, 'usage_unit', n, limits)) +
        '\t' +
        copyField(provider) +
        '\t' +
        copyField(regionCode) +
        '\t' +
        copyField(provider && regionCode ? `${provider}.${regionCode}` : null) +
        '\t' +
        copyField(text(row, 'product', n, limits)) +
        '\t' +
        copyField(text(row, 'usage_type', n, limits)) +
        '\t' +
        copyField(text(row, 'resource', n, limits)) +
        '\t' +
        copyField(object(row, 'tags', n, keys.tags, limits)) +
        '\t' +
        copyField(object(row, 'additional_info', n, keys.additionalInfo, limits)) +
        '\t' +
        copyField(object(row, 'data', n, keys.data, limits)) +
        '\t' +
        stamped(row) +
        '\t' +
        date.slice(0, 4) +
        '\t' +
        date.slice(0, 7) +
        '\t' +
        date,
    );
  }
  return rows.length;
}
