import type { AppContext } from '../../src/app/context.js';
import { silentLogger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/api/grpc/server.js';
import type { PluginResolver } from '../../src/plugins/registry.js';
import { openTestStore } from '../helpers/backends.js';
import { TEST_ACCESS_ENV, testClock } from '../helpers/engine-fixture.js';

/** The gRPC API on a fresh embedded database, on a free port. */
export interface GrpcTestApi {
  ctx: AppContext;
  server: RunningGrpcServer;
  address: string;
  adminToken: string;
  close(): Promise<void>;
}

export async function openGrpcTestApi(options: { plugins?: PluginResolver; env?: Record<string, string> } = {}): Promise<GrpcTestApi> {
  const store = await openTestStore('pglite');
  const config = loadConfig({ COSTSYNC_DATA_DIR: 'memory://', COSTSYNC_SCHEDULER: '0', ...TEST_ACCESS_ENV, ...options.env });
  const ctx = await openApp(config, { db: store.db, log: silentLogger, plugins: options.plugins, clock: testClock });
  ctx.engine.start();
  const server = await startGrpcServer(ctx, 0);
  const adminToken = await issueToken(ctx.tokenKey, { domainId: 'domain-grpc', role: 'DOMAIN_ADMIN' });
  return {
    ctx,
    server,
    address: `127.0.0.1:${server.port}`,
    adminToken,
    async close() {
      await server.stop();
      await ctx.engine.stop();
      await store.release();
    },
  };
}
