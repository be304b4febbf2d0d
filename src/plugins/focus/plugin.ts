import type { AccessPolicy } from '../access/policy.js';
import type { PluginClient } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { baseUrls, csvRecords, pages } from '../http-file/csv-source.js';
import { MONTH_PATTERN } from '../../domain/time.js';
import { chargeDay, focusRow } from './focus-row.js';

/**
 * The built-in `focus` plugin: FOCUS cost-and-usage exports (CSV) at the URLs of
 * `options.base_url`. get_tasks reads each file once (streaming, only ChargePeriodStart) and
 * plans one task per file and billing month, each replacing that month
 * (`task_changed: {start: month, end: month}`); a sync's `start` (YYYY-MM) skips earlier months.
 * get_data streams the file again and keeps that month's rows. Memory stays flat whatever
 * the file size. See docs/plugins.md.
 */
export function makeFocusPlugin(access: AccessPolicy): PluginClient {
  return {
    async init() {
      return { metadata: { data_source_rules: [], currency: 'USD', supported_secret_types: ['MANUAL'] } };
    },
    async verify({ options }) {
      baseUrls(options);
    },
    async getTasks({ options, start }, signal) {
      if (start !== undefined && !MONTH_PATTERN.test(start)) {
        throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `start "${start}" must be YYYY-MM`);
      }
      const tasks = [];
      for (const url of baseUrls(options)) {
        for (const month of await monthsOf(url, access, signal ?? new AbortController().signal)) {
          if (start && month < start) continue;
          tasks.push({ task_options: { base_url: url, month }, task_changed: { start: month, end: month } });
        }
      }
      return { tasks };
    },
    async *getData({ task_options }, signal) {
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      const month = typeof task_options?.month === 'string' ? task_options.month : '';
      if (!url || !MONTH_PATTERN.test(month)) {
        throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url, task_options.month)');
      }
      async function* rows() {
        for await (const { values, row } of csvRecords(url, access, signal)) {
          const day = chargeDay(values.ChargePeriodStart, row);
          if (day.startsWith(month)) yield focusRow(values, row, day);
        }
      }
      yield* pages(rows());
    },
  };
}

/** The billing months (YYYY-MM) present in a file, in order. */
async function monthsOf(url: string, access: AccessPolicy, signal: AbortSignal): Promise<string[]> {
  const months = new Set<string>();
  for await (const { values, row } of csvRecords(url, access, signal)) months.add(chargeDay(values.ChargePeriodStart, row).slice(0, 7));
  return [...months].sort();
}
