import { setPriority } from 'node:os';
import { startGrpcServer } from '../api/grpc/server.js';
import { buildRestApp } from '../api/rest/app.js';
import { limitHeapGrowth } from '../app/heap.js';
import { openApp } from '../app/open-app.js';
import { issueToken } from '../auth/tokens.js';
import { loadConfig } from '../config/config.js';
import { bootstrapDemo, DEMO_ADMIN, describeDemoJob } from './demo.js';
import { cliLogger, startupOutput } from './pretty-log.js';
import { counted } from './table.js';

/**
 * `costsync serve`: the REST API with the dashboard, the gRPC API, the workers, the reaper and
 * the scheduler in one process, on the embedded database by default. Stops cleanly on
 * SIGINT/SIGTERM: running tasks go back to
 * the queue, so a restart (or another worker) carries on with them.
 */
export async function serveCommand(): Promise<void> {
  const config = loadConfig();
  limitHeapGrowth(config.heapGrowthPercent);
  const ctx = await openApp(config, { log: cliLogger() });
  const app = buildRestApp(ctx);
  const http = `${config.http.host}:${config.http.port}`;
  let grpc: Awaited<ReturnType<typeof startGrpcServer>>;
  let binding = `the REST API on ${http} (COSTSYNC_HTTP_PORT)`;
  try {
    await app.listen({ host: config.http.host, port: config.http.port });
    binding = `the gRPC API on ${config.grpc.host}:${config.grpc.port} (COSTSYNC_GRPC_PORT; 0 picks a free one)`;
    grpc = await startGrpcServer(ctx, config.grpc.port);
  } catch (error) {
    // Nothing has started yet: close what is open and fail, rather than run half a server.
    await app.close().catch(() => {});
    await ctx.close();
    const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' || /No address added/.test((error as Error).message);
    process.stderr.write(`costsync: cannot serve ${binding}: ${inUse ? 'the port is already in use' : (error as Error).message}\n`);
    process.exit(1);
  }
  ctx.engine.start();
  const url = `http://${config.http.host}:${config.http.port}`;
  const where = config.databaseUrl ? 'PostgreSQL server' : `embedded database in ${config.dataDir}`;
  const out = startupOutput();
  const say = (line: string) => out.write(line + '\n');
  say(`costsync is listening on ${url} (${where}); gRPC API on ${config.grpc.host}:${grpc.port}`);
  if (!config.demo) say(`dashboard: ${url}/ (sign in with a token from \`costsync token --domain <domain_id> --role DOMAIN_ADMIN\`)`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.log.info({ signal }, 'stopping');
    await ctx.engine.stop();
    await Promise.all([app.close(), grpc.stop()]);
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  if (config.demo) {
    const job = await bootstrapDemo(ctx);
    if (job) say(await describeDemoJob(ctx, job));
    const token = await issueToken(ctx.tokenKey, { domainId: DEMO_ADMIN.domainId, role: DEMO_ADMIN.role, ttlSeconds: 7 * 24 * 3600 });
    say(`a DOMAIN_ADMIN token for ${DEMO_ADMIN.domainId}, valid 7 days:\n  export COSTSYNC_TOKEN=${token}`);
    say(`the dashboard, signed in with that token:`);
    say(`  ${url}/#token=${token}`);
    say(`then, in another terminal:`);
    say(
      `  curl -s -X POST ${url}/cost-analysis/v1/job/list -H "Authorization: Bearer $COSTSYNC_TOKEN" -H 'content-type: application/json' -d '{}'`,
    );
    say(`  npx costsync jobs          # the same as a table (signs its own token from ${config.dataDir})`);
  }
}

/** `costsync worker`: workers and the reaper only, for more processes or machines on one PostgreSQL server. */
export async function workerCommand(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write(
      'costsync worker needs COSTSYNC_DATABASE_URL=postgres://…: the embedded database belongs to one process (use `costsync serve`).\n',
    );
    process.exit(2);
  }
  // A worker yields the CPU to an API server (and its database) on the same machine.
  if (config.workerNice > 0) setPriority(Math.min(19, config.workerNice));
  limitHeapGrowth(config.heapGrowthPercent);
  const ctx = await openApp(config, { log: cliLogger() });
  ctx.engine.start();
  startupOutput().write(`costsync worker ${config.engine.workerId} running ${counted(config.engine.concurrency, 'task')} at a time\n`);
  const stop = async () => {
    await ctx.engine.stop();
    await ctx.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
