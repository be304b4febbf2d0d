import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../../src/store/database.js';
import { openStore } from '../../src/store/open.js';

/**
 * Every store and engine test runs on both backends: the embedded database (PGlite, in
 * memory) and the PostgreSQL server (a fresh database per call, dropped on release).
 * `COSTSYNC_TEST_DATABASE_URL` points at the server's maintenance database.
 *
 * `npm test` (test/run.ts) decides which backends run and says so in `COSTSYNC_TEST_BACKENDS`;
 * a file run on its own (`node --import tsx --test test/x/y.test.ts`) runs both.
 */
export const SERVER_URL = process.env.COSTSYNC_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

export type BackendName = 'pglite' | 'postgres';
const ALL: readonly BackendName[] = ['pglite', 'postgres'];
const chosen = (process.env.COSTSYNC_TEST_BACKENDS ?? ALL.join(',')).split(',').map((name) => name.trim());
for (const name of chosen) {
  if (!ALL.includes(name as BackendName)) throw new Error(`COSTSYNC_TEST_BACKENDS: unknown backend "${name}" (known: ${ALL.join(', ')})`);
}
export const BACKENDS: readonly BackendName[] = ALL.filter((name) => chosen.includes(name));
/** Whether the PostgreSQL server half runs (tests of multi-process behaviour need it). */
export const HAS_SERVER = BACKENDS.includes('postgres');

export interface TestStore {
  db: Database;
  /** `COSTSYNC_DATABASE_URL` for another process on the same database (postgres only). */
  url?: string;
  release(): Promise<void>;
}

export async function openTestStore(backend: BackendName): Promise<TestStore> {
  if (backend === 'pglite') {
    const db = await openStore({ dataDir: 'memory://' });
    return { db, release: () => db.close() };
  }
  const name = `costsync_test_${randomBytes(6).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = withDatabase(SERVER_URL, name);
  const db = await openStore({ dataDir: 'memory://', databaseUrl: url });
  return {
    db,
    url,
    async release() {
      await db.close();
      await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
