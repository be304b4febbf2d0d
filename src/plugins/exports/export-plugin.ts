import { MONTH_PATTERN } from '../../domain/time.js';
import type { AccessPolicy } from '../access/policy.js';
import { exportFiles } from '../files/expand.js';
import { flatRecord, fileRecords } from '../files/records.js';
import { storeFor } from '../files/locations.js';
import { baseUrls, pages } from '../files/options.js';
import type { CostInfo, PluginClient, Struct } from '../plugin.js';
import { markSparse } from './values.js';
import { PluginError } from '../plugin.js';

/**
 * What a billing-export format says about its records. The plugin around it (makeExportPlugin)
 * is the same for every format: the files at `options.base_url` (files/), one task per file
 * and billing month, each replacing its month.
 *
 * `flat` formats (the default) see every record as text — CSV as written, Parquet and JSON
 * lines values as text (files/records.ts flatRecord) — under the names `column` gives them.
 * `nested` formats (BigQuery's JSON lines and Parquet exports) see records as read: objects
 * and arrays stay, and CSV columns keep their names (`service.description`).
 */
export type Flat = Record<string, string>;
export type Nested = Record<string, unknown>;

export interface ExportFormat<Settings extends { currency: string }, Values extends Flat | Nested = Flat> {
  /** Checks and completes `options`; throws a PluginError naming the bad option. */
  settings(options: Struct | undefined): Settings;
  /** `nested` for formats whose records are nested; `flat` by default. */
  readonly shape?: Values extends Flat ? 'flat' : 'nested';
  /** A column's name as the format reads it (e.g. two generations of one export, made one); flat formats. */
  column?(name: string): string;
  /** The UTC day (YYYY-MM-DD) a row is billed on; throws naming the row. */
  day(values: Values, row: number): string;
  /** The cost row; throws naming the row. */
  row(values: Values, row: number, day: string, settings: Settings): CostInfo;
}

/**
 * get_tasks finds the files (a folder, prefix, glob or CUR manifest expands to its files;
 * files/expand.ts), skips those whose billing period a manifest or folder name puts before
 * the sync's `start` (YYYY-MM) without reading them, reads each other file once (streaming,
 * only the day of each row) and plans one task per file and billing month
 * (`task_changed: {start: month, end: month}`), so a re-sync replaces exactly the months it
 * loads. get_data streams its file again and keeps its month's rows. Memory stays flat
 * whatever the file size.
 */
export function makeExportPlugin<Settings extends { currency: string }, Values extends Flat | Nested = Flat>(
  format: ExportFormat<Settings, Values>,
  access: AccessPolicy,
): PluginClient {
  const rename = renamer(format.column);
  async function* records(url: string, secret: Struct, signal: AbortSignal) {
    for await (const { values, row, sparse } of fileRecords(url, await storeFor(url, { access, secret }), signal)) {
      if (format.shape === 'nested') yield { values: values as Values, row };
      else {
        const flat = flatRecord(values, rename);
        yield { values: (sparse ? markSparse(flat) : flat) as Values, row };
      }
    }
  }
  return {
    async init({ options }) {
      return { metadata: { data_source_rules: [], currency: format.settings(options).currency, supported_secret_types: ['MANUAL'] } };
    },
    async verify({ options, secret_data }) {
      for (const url of baseUrls(options)) await storeFor(url, { access, secret: secret_data ?? {} });
      format.settings(options);
    },
    async getTasks({ options, secret_data, start }, signal) {
      if (start !== undefined && !MONTH_PATTERN.test(start)) {
        throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `start "${start}" must be YYYY-MM`);
      }
      format.settings(options);
      const secret = secret_data ?? {};
      const abort = signal ?? new AbortController().signal;
      const tasks = [];
      for await (const file of exportFiles(baseUrls(options), { access, secret }, abort)) {
        if (start && file.lastMonth !== undefined && file.lastMonth < start) continue;
        const months = new Set<string>();
        for await (const { values, row } of records(file.url, secret, abort)) months.add(format.day(values, row).slice(0, 7));
        for (const month of [...months].sort()) {
          if (start && month < start) continue;
          tasks.push({ task_options: { base_url: file.url, month }, task_changed: { start: month, end: month } });
        }
      }
      return { tasks };
    },
    async *getData({ options, secret_data, task_options }, signal) {
      const settings = format.settings(options);
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      const month = typeof task_options?.month === 'string' ? task_options.month : '';
      if (!url || !MONTH_PATTERN.test(month)) {
        throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url, task_options.month)');
      }
      async function* rows() {
        for await (const { values, row } of records(url, secret_data ?? {}, signal)) {
          const day = format.day(values, row);
          if (day.startsWith(month)) yield format.row(values, row, day, settings);
        }
      }
      yield* pages(rows());
    },
  };
}

/** `column` with a cache: it runs once per distinct column name, not once per value. */
function renamer(column: ((name: string) => string) | undefined): (name: string) => string {
  if (!column) return (name) => name;
  const names = new Map<string, string>();
  return (name) => {
    let renamed = names.get(name);
    if (renamed === undefined) {
      renamed = column(name);
      names.set(name, renamed);
    }
    return renamed;
  };
}
/** `options.currency`: the data source's currency (ISO 4217, default USD). */
export function currencyOption(options: Struct | undefined): string {
  const currency = options?.currency ?? 'USD';
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'options.currency must be an ISO 4217 code such as USD or EUR');
  }
  return currency;
}

/** A row billed in another currency than the data source's fails its task: no silent mix. */
export function checkCurrency(currency: string, expected: string, column: string, row: number): void {
  if (currency && currency !== expected) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER',
      `row ${row}: ${column} is ${currency}, the data source's currency is ${expected}; register a data source per currency (options.currency)`,
    );
  }
}

/** One of `choices` from `options[key]` (default the first). */
export function choiceOption<T extends string>(options: Struct | undefined, key: string, choices: readonly T[]): T {
  const value = options?.[key] ?? choices[0];
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', `options.${key} must be one of ${choices.join(', ')}`);
  }
  return value as T;
}
