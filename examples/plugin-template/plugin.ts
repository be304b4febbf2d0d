/**
 * A cost data-source plugin template for costsync/sdk. Serve it with
 *
 *   npx costsync plugin serve ./plugin.js --host 0.0.0.0 --port 50051      (after compiling to JavaScript)
 *
 * or call `servePlugin(plugin)` from your own entry point. SpaceONE and costsync then reach
 * it as grpc://<host>:50051.
 */
import { PluginError, type CostDataSourcePlugin, type CostInfo } from 'costsync/sdk';

export const plugin: CostDataSourcePlugin = {
  /** Called when a data source is registered: check the options, describe the plugin. */
  async init({ options }) {
    if (typeof options.account_id !== 'string') {
      throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = options.account_id)');
    }
    return { metadata: { currency: 'USD', data_source_rules: [], supported_secret_types: ['MANUAL'] } };
  },

  /** Called with the secret data: check that it works (throw if not). */
  async verify({ secret_data }) {
    if (!secret_data.api_key) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = secret_data.api_key)');
  },

  /** Split a sync into tasks, here one per month from `start` (YYYY-MM) to this month. */
  async getTasks({ options, start }) {
    const first = start ?? new Date().toISOString().slice(0, 7);
    const months = [];
    for (let m = first; m <= new Date().toISOString().slice(0, 7); m = nextMonth(m)) months.push(m);
    return {
      tasks: months.map((month) => ({
        task_options: { account_id: options.account_id, month },
        // This task's rows replace what earlier syncs stored for the month.
        task_changed: { start: month, end: month },
      })),
    };
  },

  /** Stream one task's rows, a page (up to ~1000 rows) at a time; stop when `signal` aborts. */
  async *getData({ task_options }, signal) {
    let page: CostInfo[] = [];
    for (let day = 1; day <= 28 && !signal.aborted; day++) {
      page.push({
        cost: 1.25,
        usage_quantity: 24,
        usage_unit: 'Hours',
        provider: 'example',
        region_code: 'region-1',
        product: 'Compute',
        billed_date: `${task_options.month}-${String(day).padStart(2, '0')}`,
        additional_info: { 'Account ID': String(task_options.account_id) },
        tags: {},
        data: {},
      });
      if (page.length === 1000) {
        yield page;
        page = [];
      }
    }
    yield page;
  },
};

function nextMonth(month: string): string {
  const [year, m] = month.split('-').map(Number);
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}
