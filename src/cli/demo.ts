import { dataSourceService } from '../api/services/data-source-service.js';
import type { AppContext } from '../app/context.js';
import type { Principal } from '../auth/principal.js';
import { ROLE, SYNC_MODE } from '../domain/status.js';
import type { JobRow } from '../store/rows.js';

export const DEMO_DOMAIN = 'domain-demo';
export const DEMO_ADMIN: Principal = { domainId: DEMO_DOMAIN, role: ROLE.DOMAIN_ADMIN };

/**
 * The quickstart: on an empty database, register a `demo` data source (the synthetic plugin)
 * in domain-demo and sync it once. Returns the finished job, or undefined when the database
 * already had data sources.
 */
export async function bootstrapDemo(ctx: AppContext): Promise<JobRow | undefined> {
  const [{ n }] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM data_source');
  if (n > 0) return undefined;
  const source = (await dataSourceService.register(ctx, DEMO_ADMIN, {
    name: 'demo',
    data_source_type: 'EXTERNAL',
    resource_group: 'DOMAIN',
    plugin_info: { plugin_id: 'synthetic', options: { accounts: 2, months: 3, rows_per_day: 10 } },
    schedule: { state: 'ENABLED', hour: 16 },
  })) as { data_source_id: string };
  const [row] = await ctx.db.query<import('../store/rows.js').DataSourceRow>(
    'SELECT * FROM data_source WHERE data_source_id = $1', [source.data_source_id]);
  const job = await ctx.engine.sync(row, { syncMode: SYNC_MODE.MANUAL });
  return ctx.engine.waitForJob(job.job_id, { timeoutMs: 120_000 });
}
