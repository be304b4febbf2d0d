import { err } from '../../domain/errors.js';
import { addMonths, MONTH_PATTERN, monthOf } from '../../domain/time.js';
import type { Struct } from '../plugin.js';

/** The synthetic plugin's options, checked and with defaults filled in. */
export interface SyntheticOptions {
  accounts: number;
  months: number;
  startMonth: string;
  rowsPerDay: number;
  seed: number;
  pageSize: number;
  /** Fault knobs (tests and demos). */
  failTask?: number;
  failAfterRows: number;
  transientFailures: number;
  pageDelayMs: number;
  hangTask?: number;
  planDelayMs: number;
}

function int(options: Struct, key: string, fallback: number, min: number, max: number): number {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw err.invalid(`plugin_info.options.${key}`, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

function optionalInt(options: Struct, key: string, max: number): number | undefined {
  return options[key] === undefined || options[key] === null ? undefined : int(options, key, 0, 0, max);
}

/** Options that make the plugin fail, hang or crawl: for tests and demos, off unless the operator turns them on. */
const FAULT_KEYS = ['fail_task', 'fail_after_rows', 'transient_failures', 'page_delay_ms', 'hang_task', 'plan_delay_ms'] as const;

/**
 * `start` (from a sync) overrides `start_month`; the default window ends with the current month.
 * Fault switches are refused unless `faults` (COSTSYNC_SYNTHETIC_FAULTS) is on.
 */
export function parseSyntheticOptions(options: Struct, start: string | undefined, now: Date, faults = true): SyntheticOptions {
  if (!faults) {
    const used = FAULT_KEYS.find((key) => options[key] !== undefined && options[key] !== null);
    if (used) {
      throw err.invalid(
        `plugin_info.options.${used}`,
        'the synthetic plugin’s fault switches are off; the operator turns them on with COSTSYNC_SYNTHETIC_FAULTS=1',
      );
    }
  }
  const months = int(options, 'months', 3, 1, 120);
  const requested = start ?? options.start_month;
  let startMonth: string;
  if (requested === undefined || requested === null || requested === '') {
    startMonth = addMonths(monthOf(now), -(months - 1));
  } else if (typeof requested === 'string' && MONTH_PATTERN.test(requested.slice(0, 7))) {
    startMonth = requested.slice(0, 7);
  } else {
    throw err.invalid(start !== undefined ? 'start' : 'plugin_info.options.start_month', 'must be a month, YYYY-MM');
  }
  return {
    accounts: int(options, 'accounts', 2, 1, 1000),
    months,
    startMonth,
    rowsPerDay: int(options, 'rows_per_day', 10, 1, 1_000_000),
    seed: int(options, 'seed', 1, 0, 2 ** 31 - 1),
    pageSize: int(options, 'page_size', 1000, 1, 100_000),
    failTask: optionalInt(options, 'fail_task', 1_000_000),
    failAfterRows: int(options, 'fail_after_rows', 0, 0, 1e12),
    transientFailures: int(options, 'transient_failures', 0, 0, 100),
    pageDelayMs: int(options, 'page_delay_ms', 0, 0, 3_600_000),
    hangTask: optionalInt(options, 'hang_task', 1_000_000),
    planDelayMs: int(options, 'plan_delay_ms', 0, 0, 3_600_000),
  };
}
