import type { AddressInfo } from 'node:net';
import { buildRestApp } from '../../src/api/rest/app.js';
import { dataSourceService } from '../../src/api/services/data-source-service.js';
import type { AppContext } from '../../src/app/context.js';
import { silentLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { bootstrapDemo, DEMO_ADMIN } from '../../src/cli/demo.js';
import { loadConfig } from '../../src/config/config.js';
import type { Role } from '../../src/domain/status.js';
import type { JobRow } from '../../src/store/rows.js';
import { TEST_ACCESS_ENV, testClock } from '../helpers/engine-fixture.js';

/**
 * A costsync as `costsync serve` runs it (API, dashboard, workers, the demo data source
 * synced once) on an in-memory embedded database, listening on a free port, on the test clock
 * (the demo then always has the same rows: DEMO_ROWS).
 */
/** The demo's rows on the test clock (2025-06-18): 2 accounts × 10 a day × (30 + 31 + 18 days: April, May, June to the 18th). */
export const DEMO_ROWS = 2 * 10 * (30 + 31 + 18);
/** DEMO_ROWS as the CLI and the dashboard print it. */
export const DEMO_ROWS_TEXT = DEMO_ROWS.toLocaleString('en-US');

export interface TestServer {
  readonly url: string;
  readonly ctx: AppContext;
  readonly demoJob: JobRow;
  token(role?: Role, workspaceId?: string): Promise<string>;
  /** Registers a synthetic data source in domain-demo; returns its id. */
  addDataSource(name: string, options: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const config = loadConfig({ COSTSYNC_DATA_DIR: 'memory://', COSTSYNC_SCHEDULER: '0', ...TEST_ACCESS_ENV, ...env });
  const ctx = await openApp(config, { log: silentLogger, clock: testClock });
  ctx.engine.start();
  const demoJob = (await bootstrapDemo(ctx))!;
  const app = buildRestApp(ctx);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ctx,
    demoJob,
    token: (role = 'DOMAIN_ADMIN', workspaceId) =>
      issueToken(ctx.tokenKey, { domainId: DEMO_ADMIN.domainId, role, ...(workspaceId ? { workspaceId } : {}) }),
    async addDataSource(name, options) {
      const ds = (await dataSourceService.register(ctx, DEMO_ADMIN, {
        name,
        resource_group: 'DOMAIN',
        plugin_info: { plugin_id: 'synthetic', options },
        schedule: { state: 'ENABLED', hour: 3 },
      })) as { data_source_id: string };
      return ds.data_source_id;
    },
    async close() {
      await ctx.engine.stop();
      await app.close();
      await ctx.close();
    },
  };
}
