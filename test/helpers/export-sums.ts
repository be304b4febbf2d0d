import assert from 'node:assert/strict';
import type { CostInfo, PluginClient, Struct } from '../../src/plugins/plugin.js';
import { type BackendName as Backend, openTestStore } from './backends.js';
import { insertDataSource, makeTestEngine, testPlugins } from './engine-fixture.js';

/**
 * Sums of cost per "month account", the figure the export tests compare with what they
 * computed from the generated lines: from rows a plugin gives, or from what a sync published.
 */
export function sums(rows: { cost?: number; month: string; account: string }[], precision = 1e6): Record<string, number> {
  const round = (n: number) => Math.round(n * precision) / precision;
  const out: Record<string, number> = {};
  for (const r of rows) out[`${r.month} ${r.account}`] = round((out[`${r.month} ${r.account}`] ?? 0) + (r.cost ?? 0));
  return out;
}

/** Plans and runs every task in process, as the engine would: the rows' sums, count, files and months. */
export async function loadAll(plugin: PluginClient, options: Struct, secret: Struct = {}, start?: string) {
  const plan = await plugin.getTasks({ options, secret_data: secret, domain_id: 'd', ...(start ? { start } : {}) });
  const rows: { cost?: number; month: string; account: string }[] = [];
  for (const task of plan.tasks) {
    const request = { options, secret_data: secret, task_options: task.task_options, domain_id: 'd' };
    for await (const page of plugin.getData(request, new AbortController().signal)) {
      for (const row of page)
        rows.push({ cost: row.cost, month: row.billed_date!.slice(0, 7), account: String(row.additional_info!['Account ID']) });
    }
  }
  return {
    rows: rows.length,
    sums: sums(rows),
    files: [...new Set(plan.tasks.map((t) => String(t.task_options.base_url)))],
    months: plan.tasks.map((t) => t.task_options.month),
  };
}

/** A sync through the engine on `backend` (`secret` sealed as the data source's); the published rows' sums per month and account. */
export async function publishedSums(
  backend: Backend,
  pluginId: string,
  plugin: PluginClient,
  options: Struct,
  { precision = 1e6, secret }: { precision?: number; secret?: Struct } = {},
): Promise<Record<string, number>> {
  const store = await openTestStore(backend);
  const { engine, secrets } = makeTestEngine(store.db, { retentionMonths: 0 }, testPlugins({ [pluginId]: plugin }));
  try {
    const ds = await insertDataSource(store.db, options, { pluginId, secretData: secret, secrets });
    engine.start();
    const job = await engine.sync(ds, { syncMode: 'MANUAL' });
    assert.equal((await engine.waitForJob(job.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
    const stored = await store.db.query<{ month: string; account: string; cost: number }>(
      `SELECT billed_month AS month, additional_info->>'Account ID' AS account, sum(cost)::float8 AS cost
         FROM published_cost WHERE data_source_id = $1 GROUP BY 1, 2`,
      [ds.data_source_id],
    );
    return sums(stored, precision);
  } finally {
    await engine.stop();
    await store.release();
  }
}

/** The rows one task (a file and a month) gives. */
export async function collectMonth(plugin: PluginClient, url: string, month: string, options: Struct = {}): Promise<CostInfo[]> {
  const out: CostInfo[] = [];
  const request = { options, secret_data: {}, task_options: { base_url: url, month }, domain_id: 'd' };
  for await (const page of plugin.getData(request, new AbortController().signal)) out.push(...page);
  return out;
}
