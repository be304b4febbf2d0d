import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rebuildRollups } from '../src/engine/rollup.js';
import type { Database } from '../src/store/database.js';
import { openStore } from '../src/store/open.js';
import { createBenchDatabase } from './bench-database.js';

/**
 * Data for the query benchmark: jobs and published cost rows (with their monthly rollup) in one
 * domain, generated inside the database (generate_series), on a fresh store of either backend.
 */
export const DOMAIN = 'domain-bench000000';
export const COST_SOURCE = 'ds-bench-costs';

export interface BenchStore {
  readonly db: Database;
  release(): Promise<void>;
}

export async function openBenchStore(backend: 'pglite' | 'postgres'): Promise<BenchStore> {
  if (backend === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'costsync-bench-query-'));
    const db = await openStore({ dataDir: dir });
    const release = async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    };
    return { db, release };
  }
  const server = await createBenchDatabase();
  const db = await openStore({ dataDir: 'memory://', databaseUrl: server.url });
  const release = async () => {
    await db.close();
    await server.drop();
  };
  return { db, release };
}

export async function seed(db: Database, jobs: number, costs: number): Promise<void> {
  await db.query(
    `INSERT INTO job (job_id, status, options, total_tasks, remained_tasks, changed, planned, deadline_at, resource_group,
                      workspace_id, domain_id, data_source_id, created_at, updated_at, finished_at)
     SELECT 'job-' || lpad(to_hex(i), 12, '0'),
            (ARRAY['SUCCESS', 'FAILURE', 'CANCELED', 'TIMEOUT'])[1 + i % 4],
            jsonb_build_object('sync_mode', CASE WHEN i % 3 = 0 THEN 'SCHEDULED' ELSE 'MANUAL' END),
            1 + i % 7, 0, '[{"start": "2025-08"}]', true, now(), 'DOMAIN',
            CASE WHEN i % 5 = 0 THEN '*' ELSE 'ws-' || (i % 5) END, $1, 'ds-' || (i % 50),
            timestamptz '2025-01-01' + (i * interval '5 minutes'), timestamptz '2025-01-01' + (i * interval '5 minutes'),
            timestamptz '2025-01-01' + (i * interval '5 minutes') + interval '90 seconds'
       FROM generate_series(1, $2::int) AS i`,
    [DOMAIN, jobs],
  );
  await db.query(
    `INSERT INTO job (job_id, status, planned, deadline_at, resource_group, workspace_id, domain_id, data_source_id)
     VALUES ('job-bench-costs0', 'SUCCESS', true, now(), 'DOMAIN', '*', $1, $2)`,
    [DOMAIN, COST_SOURCE],
  );
  // Dimensions drawn independently (a hash of the row number per dimension), so they combine as
  // real bills do: 3 providers × 12 regions × 40 products × 9 usage types × 2 environments, over
  // 180 days (7 months). Written a million rows per statement.
  for (let from = 1; from <= costs; from += 1_000_000) {
    await db.query(
      `INSERT INTO cost (cost_id, cost, usage_quantity, provider, region_code, product, usage_type, tags, data_source_id, job_id,
                         job_task_id, workspace_id, domain_id, billed_year, billed_month, billed_date)
       SELECT 'cost-' || lpad(to_hex(i), 12, '0'), (abs(hashint4extended(i, 1)) % 100000) / 1000.0, 1,
              (ARRAY['aws', 'gcp', 'azure'])[1 + abs(hashint4extended(i, 2)) % 3], 'region-' || abs(hashint4extended(i, 3)) % 12,
              'product-' || abs(hashint4extended(i, 4)) % 40, 'usage-' || abs(hashint4extended(i, 5)) % 9,
              jsonb_build_object('env', CASE WHEN abs(hashint4extended(i, 6)) % 2 = 0 THEN 'prod' ELSE 'dev' END),
              $2, 'job-bench-costs0', 'job-task-bench00', NULL, $1,
              to_char(d, 'YYYY'), to_char(d, 'YYYY-MM'), d
         FROM generate_series($3::int, $4::int) AS i, LATERAL (SELECT (date '2025-01-01' + (i % 180))::date AS d) AS day`,
      [DOMAIN, COST_SOURCE, from, Math.min(costs, from + 999_999)],
    );
  }
  await rebuildRollups(db);
  await db.query('ANALYZE');
}
