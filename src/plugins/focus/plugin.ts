import type { AccessPolicy } from '../access/policy.js';
import type { PluginClient } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { baseUrls, csvRecords, pages } from '../http-file/csv-source.js';
import { MONTH_PATTERN } from '../../domain/time.js';
import { COST_COLUMNS, type CostColumn, chargeDay, type FocusSettings, focusRow } from './focus-row.js';

/**
 * The built-in `focus` plugin: FOCUS cost-and-usage exports (CSV, plain or gzip) at the URLs of
 * `options.base_url`. get_tasks reads each file once (streaming, only ChargePeriodStart) and
 * plans one task per file and billing month, each replacing that month
 * (`task_changed: {start: month, end: month}`); a sync's `start` (YYYY-MM) skips earlier months.
 * get_data streams the file again and keeps that month's rows. Memory stays flat whatever
 * the file size. See docs/plugins.md.
 */
export function makeFocusPlugin(access: AccessPolicy): PluginClient {
  return {
    async init({ options }) {
      return { metadata: { data_source_rules: [], currency: settingsOf(options).currency, supported_secret_types: ['MANUAL'] } };
    },
    async verify({ options }) {
      baseUrls(options);
      settingsOf(options);
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
    async *getData({ options, task_options }, signal) {
      const settings = settingsOf(options);
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      const month = typeof task_options?.month === 'string' ? task_options.month : '';
      if (!url || !MONTH_PATTERN.test(month)) {
        throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url, task_options.month)');
      }
      async function* rows() {
        for await (const { values, row } of csvRecords(url, access, signal)) {
          const day = chargeDay(values.ChargePeriodStart, row);
          if (day.startsWith(month)) yield focusRow(values, row, day, settings);
        }
      }
      yield* pages(rows());
    },
  };
}

/**
 * `options.cost_column`: the cost measure the rows carry as `cost` (BilledCost, EffectiveCost,
 * ListCost or ContractedCost; default BilledCost). `options.currency`: the data source's
 * currency (ISO 4217, default USD); a row whose BillingCurrency differs fails its task.
 */
function settingsOf(options: Record<string, unknown> | undefined): FocusSettings {
  const costColumn = options?.cost_column ?? 'BilledCost';
  if (typeof costColumn !== 'string' || !(COST_COLUMNS as readonly string[]).includes(costColumn)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', `options.cost_column must be one of ${COST_COLUMNS.join(', ')}`);
  }
  const currency = options?.currency ?? 'USD';
  if (typeof currency !== 'string' || !/^[A-Z]{3}$/.test(currency)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'options.currency must be an ISO 4217 code such as USD or EUR');
  }
  return { costColumn: costColumn as CostColumn, currency };
}

/** The billing months (YYYY-MM) present in a file, in order. */
async function monthsOf(url: string, access: AccessPolicy, signal: AbortSignal): Promise<string[]> {
  const months = new Set<string>();
  for await (const { values, row } of csvRecords(url, access, signal)) months.add(chargeDay(values.ChargePeriodStart, row).slice(0, 7));
  return [...months].sort();
}
