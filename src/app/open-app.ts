import { randomBytes } from 'node:crypto';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { makeEngine } from '../engine/engine.js';
import { makePluginRegistry, type PluginResolver } from '../plugins/registry.js';
import { readOrCreateKey } from '../secrets/key-file.js';
import { makeSecretBox } from '../secrets/secret-box.js';
import type { Database } from '../store/database.js';
import { openStore } from '../store/open.js';
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
  const db =
    options.db ??
    (await openStore({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      limits: config.database,
      applicationName: `costsync ${config.engine.workerId}`,
    }));
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
  const plugins = options.plugins ?? makePluginRegistry({}, { endpoints: config.pluginEndpoints, clock });
  const secrets = makeSecretBox(secretKey);
  const engine = makeEngine({ db, config: config.engine, plugins, secrets, log, clock });
  return { config, db, engine, plugins, secrets, tokenKey, log, clock };
}
