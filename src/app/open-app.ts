import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { makeEngine } from '../engine/engine.js';
import { makePluginRegistry, type PluginResolver } from '../plugins/registry.js';
import { readOrCreateKey } from '../secrets/key-file.js';
import { makeSecretBox } from '../secrets/secret-box.js';
import type { Database } from '../store/database.js';
import { openStore } from '../store/open.js';
import { openPostgres } from '../store/postgres-driver.js';
import { makeQuerySlots } from '../api/services/query-slots.js';
import type { AppContext } from './context.js';
import { makeLogger, type Logger } from './logger.js';

export interface OpenAppOptions {
  /** An already-open database (tests); otherwise the configured one is opened and migrated. */
  db?: Database;
  plugins?: PluginResolver;
  log?: Logger;
  /** The calendar every date decision reads (tests pin it); the system clock by default. */
  clock?: Clock;
}

/**
 * The composition root: configuration in, a wired application out. Starts nothing.
 * With `dataDir: 'memory://'` (tests) the keys are random and live only in this process.
 */
export async function openApp(config: Config, options: OpenAppOptions = {}): Promise<AppContext> {
  const { api: db, engine: engineDb } = options.db ? { api: options.db, engine: options.db } : await openDatabases(config);
  const keyDir = config.dataDir === 'memory://' ? undefined : config.dataDir;
  const secretKey = config.secretKey
    ? Buffer.from(config.secretKey, 'hex')
    : keyDir
      ? readOrCreateKey(keyDir, 'secret.key')
      : randomBytes(32);
  const tokenKey = config.tokenSecret
    ? new TextEncoder().encode(config.tokenSecret)
    : keyDir
      ? readOrCreateKey(keyDir, 'token.key')
      : randomBytes(32);
  const log = options.log ?? makeLogger();
  const clock = options.clock ?? systemClock;
  const plugins =
    options.plugins ??
    makePluginRegistry(
      {},
      {
        endpoints: config.pluginEndpoints,
        clock,
        access: config.access,
        syntheticFaults: config.syntheticFaults,
        grpc: { maxPageBytes: config.engine.maxPageBytes },
      },
    );
  const secrets = makeSecretBox(secretKey);
  const engine = makeEngine({ db: engineDb, config: config.engine, plugins, secrets, log, clock });
  const costQueries = makeQuerySlots({
    total: config.api.costQueries,
    perDomain: config.api.costQueriesPerDomain,
    waitMs: config.api.poolWaitMs,
  });
  const close = async () => {
    await engineDb.close();
    if (db !== engineDb) await db.close();
  };
  return { config, db, engine, plugins, secrets, tokenKey, log, clock, costQueries, close };
}

/**
 * The engine's database and the API's. On a PostgreSQL server they are two pools, so requests
 * can never take the connections running tasks need (nor the reverse), and the API's sessions
 * have the shorter statement timeout of a request. The embedded database is one connection,
 * shared. (A pool connects on first use: `costsync worker` never opens an API connection.)
 */
async function openDatabases(config: Config): Promise<{ api: Database; engine: Database }> {
  const name = `costsync ${config.engine.workerId}`;
  const engine = await openStore({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    limits: config.database,
    applicationName: `${name} engine`,
    poolSize: config.engine.concurrency * 2 + 4,
  });
  if (!config.databaseUrl) return { api: engine, engine };
  const api = openPostgres(config.databaseUrl, {
    poolSize: config.api.poolSize,
    poolWaitMs: config.api.poolWaitMs,
    limits: { ...config.database, statementTimeoutMs: config.api.queryTimeoutMs },
    applicationName: `${name} api`,
  });
  return { api, engine };
}
