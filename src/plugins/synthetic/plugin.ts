import { systemClock, type Clock } from '../../domain/clock.js';
import { dayOf, MONTH_PATTERN } from '../../domain/time.js';
import type { CostInfo, GetDataRequest, PluginClient, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { parseSyntheticOptions, type SyntheticOptions } from './options.js';
import { daysWithData, planTasks, rowsOfDay, taskIndex } from './rows.js';

/**
 * The built-in `synthetic` plugin: deterministic cost rows for demos, tests and benchmarks,
 * with fault knobs (`fail_task`, `fail_after_rows`, `transient_failures`, `page_delay_ms`,
 * `hang_task`, `plan_delay_ms`) to exercise the engine's failure paths. See docs/plugins.md. `now` decides the
 * default window (the last `months` months) and how far the current month has data (to today).
 */
export function makeSyntheticPlugin(now: Clock = systemClock, { faults = true }: { faults?: boolean } = {}): PluginClient {
  /** get_data calls per (options, task) in this process, for `transient_failures`. */
  const calls = new Map<string, number>();

  return {
    async init({ options }) {
      parseSyntheticOptions(options ?? {}, undefined, now(), faults);
      return { metadata: { currency: 'USD', supported_secret_types: ['MANUAL'], data_source_rules: [] } };
    },
    async verify({ options }) {
      parseSyntheticOptions(options ?? {}, undefined, now(), faults);
    },
    async getTasks({ options, start }, signal) {
      const parsed = parseOptions(options, start, now(), faults);
      if (parsed.planDelayMs) await sleep(parsed.planDelayMs, signal);
      return planTasks(parsed);
    },
    getData(request, signal) {
      return streamTask(request, signal, now(), calls, faults);
    },
  };
}

function parseOptions(options: Struct, start: string | undefined, now: Date, faults: boolean): SyntheticOptions {
  try {
    return parseSyntheticOptions(options ?? {}, start, now, faults);
  } catch (error) {
    throw new PluginError('ERROR_INVALID_PARAMETER', (error as Error).message);
  }
}

async function* streamTask(
  request: GetDataRequest,
  signal: AbortSignal,
  now: Date,
  calls: Map<string, number>,
  faults: boolean,
): AsyncGenerator<CostInfo[]> {
  const options = parseOptions(request.options, undefined, now, faults);
  const account = String(request.task_options?.account_id ?? '');
  const month = String(request.task_options?.month ?? '');
  if (!/^\d{12}$/.test(account) || !MONTH_PATTERN.test(month)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', `task_options need account_id (12 digits) and month (YYYY-MM)`);
  }
  // Fault knobs name tasks by their index in the plan made from the options alone; a task
  // of a sync whose `start` moved the window outside that plan has no index and no fault.
  const index = taskIndex(options, account, month);
  // Counted per task and per set of options: changing any option starts the count again.
  const key = JSON.stringify([request.options, account, month]);
  const call = (calls.get(key) ?? 0) + 1;
  calls.set(key, call);
  const transient = index !== -1 && call <= options.transientFailures;
  const fails = index !== -1 && options.failTask === index;
  const hangs = index !== -1 && options.hangTask === index;
  const faulty = transient || fails || hangs;

  const fault = async (): Promise<never> => {
    if (hangs) await untilAborted(signal);
    if (transient) {
      throw new PluginError('ERROR_UNAVAILABLE', `synthetic outage (call ${call}; the first ${options.transientFailures} fail)`, true);
    }
    throw new PluginError('ERROR_SYNTHETIC_FAILURE', `task ${index} fails by request (fail_task = ${index})`);
  };

  let sent = 0;
  let page: CostInfo[] = [];
  for (const date of daysWithData(month, dayOf(now))) {
    for (const row of rowsOfDay(options, account, date)) {
      if (faulty && sent === options.failAfterRows) {
        if (page.length) yield page;
        return fault();
      }
      page.push(row);
      sent++;
      if (page.length === options.pageSize) {
        yield page;
        page = [];
        if (options.pageDelayMs) await sleep(options.pageDelayMs, signal);
      }
    }
  }
  if (page.length) yield page;
  if (faulty) await fault();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
