import { MONTH_PATTERN } from '../../domain/time.js';
import type { AccessPolicy } from '../access/policy.js';
import { baseUrls, csvRecords, pages } from '../http-file/csv-source.js';
import type { CostInfo, PluginClient, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';

/**
 * What a billing-export format says about its files. The plugin around it (makeExportPlugin)
 * is the same for every format: the files at `options.base_url` (CSV, plain or gzip), one task
 * per file and billing month, each replacing its month.
 */
export interface ExportFormat<Settings extends { currency: string }> {
  /** Checks and completes `options`; throws a PluginError naming the bad option. */
  settings(options: Struct | undefined): Settings;
  /** Column names as the format's rows are read (e.g. two generations of one export, made one). */
  header?(names: string[]): string[];
  /** The UTC day (YYYY-MM-DD) a row is billed on; throws naming the row. */
  day(values: Record<string, string>, row: number): string;
  /** The cost row; throws naming the row. */
  row(values: Record<string, string>, row: number, day: string, settings: Settings): CostInfo;
}

/**
 * get_tasks reads each file once (streaming, only the day of each row) and plans one task per
 * file and billing month (`task_changed: {start: month, end: month}`), so a re-sync replaces
 * exactly the months it loads; a sync's `start` (YYYY-MM) skips earlier months. get_data
 * streams the file again and keeps its month's rows. Memory stays flat whatever the file size.
 */
export function makeExportPlugin<Settings extends { currency: string }>(
  format: ExportFormat<Settings>,
  access: AccessPolicy,
): PluginClient {
  const records = (url: string, signal: AbortSignal) => csvRecords(url, access, signal, format.header);
  return {
    async init({ options }) {
      return { metadata: { data_source_rules: [], currency: format.settings(options).currency, supported_secret_types: ['MANUAL'] } };
    },
    async verify({ options }) {
      baseUrls(options);
      format.settings(options);
    },
    async getTasks({ options, start }, signal) {
      if (start !== undefined && !MONTH_PATTERN.test(start)) {
        throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `start "${start}" must be YYYY-MM`);
      }
      format.settings(options);
      const tasks = [];
      for (const url of baseUrls(options)) {
        const months = new Set<string>();
        for await (const { values, row } of records(url, signal ?? new AbortController().signal))
          months.add(format.day(values, row).slice(0, 7));
        for (const month of [...months].sort()) {
          if (start && month < start) continue;
          tasks.push({ task_options: { base_url: url, month }, task_changed: { start: month, end: month } });
        }
      }
      return { tasks };
    },
    async *getData({ options, task_options }, signal) {
      const settings = format.settings(options);
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      const month = typeof task_options?.month === 'string' ? task_options.month : '';
      if (!url || !MONTH_PATTERN.test(month)) {
        throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url, task_options.month)');
      }
      async function* rows() {
        for await (const { values, row } of records(url, signal)) {
          const day = format.day(values, row);
          if (day.startsWith(month)) yield format.row(values, row, day, settings);
        }
      }
      yield* pages(rows());
    },
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
