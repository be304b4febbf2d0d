import { join } from 'node:path';
import type { SessionLimits } from '../config/config.js';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-driver.js';
import { openPostgres } from './postgres-driver.js';

export interface StoreTarget {
  /** `postgres://…` to use a server; otherwise the embedded database in `dataDir`. */
  readonly databaseUrl?: string;
  /** Data directory; the embedded database lives in `<dataDir>/pgdata`. `memory://` for tests. */
  readonly dataDir: string;
  readonly poolSize?: number;
  /** Server sessions only: statement, lock and idle-in-transaction timeouts, keepalives. */
  readonly limits?: SessionLimits;
  /** Names this process's sessions in pg_stat_activity. */
  readonly applicationName?: string;
}

/** Opens the configured database and applies pending migrations. */
export async function openStore(target: StoreTarget): Promise<Database> {
  const db = target.databaseUrl
    ? openPostgres(target.databaseUrl, { poolSize: target.poolSize, limits: target.limits, applicationName: target.applicationName })
    : await openPglite(target.dataDir === 'memory://' ? undefined : join(target.dataDir, 'pgdata'));
  try {
    await migrate(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  return db;
}
