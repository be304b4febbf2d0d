import { dataSourceService } from '../api/services/data-source-service.js';
import type { AppContext } from '../app/context.js';
import type { Principal } from '../auth/principal.js';
import { ROLE, SYNC_MODE } from '../domain/status.js';
import type { DataSourceRow, JobRow } from '../store/rows.js';
import { formatCount } from './table.js';

export const DEMO_DOMAIN = 'domain-demo';
export const DEMO_ADMIN: Principal = { domainId: DEMO_DOMAIN, role: ROLE.DOMAIN_ADMIN };

/**
 * The quickstart: on an empty database, register a `demo` data source (the synthetic plugin)
 * in domain-demo and sync it once: 2 accounts × 10 rows a day over the last three months, the
 * current one up to today (the app's clock). Returns the finished job, or undefined when the
 * database already had data sources.
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
  const [row] = await ctx.db.query<DataSourceRow>('SELECT * FROM data_source WHERE data_source_id = $1', [source.data_source_id]);
  const job = await ctx.engine.sync(row, { syncMode: SYNC_MODE.MANUAL });
  return ctx.engine.waitForJob(job.job_id, { timeoutMs: 120_000 });
}

const JOB_SUMMARY = `
  SELECT (SELECT coalesce(sum(created_count), 0)::int FROM job_task WHERE job_id = $1) AS rows,
         to_char(min(billed_date), 'YYYY-MM-DD') AS first_day, to_char(max(billed_date), 'YYYY-MM-DD') AS last_day
    FROM cost WHERE job_id = $1`;

/**
 * What the demo sync did, in one line, with what its row count depends on (the days it covers):
 * `SUCCESS, 6 tasks, 1,260 rows billed 2026-10-01 to 2026-12-02`.
 */
export async function describeDemoJob(ctx: AppContext, job: JobRow): Promise<string> {
  const [{ rows, first_day, last_day }] = await ctx.db.query<{ rows: number; first_day: string | null; last_day: string | null }>(
    JOB_SUMMARY,
    [job.job_id],
  );
  const billed = first_day ? ` billed ${first_day} to ${last_day}` : '';
  return `demo: data source "demo" (${job.data_source_id}) synced by job ${job.job_id}: ${job.status}, ${job.total_tasks} tasks, ${formatCount(rows)} rows${billed}`;
}
