import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite, type PGliteOptions, type Transaction } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

/**
 * Embedded PostgreSQL (WASM). One connection: PGlite serialises queries and holds its lock for
 * the whole of a transaction, so `transaction()` gives the same isolation as the server, and
 * code inside a transaction must use the `tx` it is given (a query on the outer handle would
 * wait for the transaction to end). COPY reads its data from a Blob (`FROM '/dev/blob'`).
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir && !existsSync(join(dataDir, 'PG_VERSION'))) {
    // A new data directory runs initdb, a second WASM program whose memory (≈ 400 MB) stays
    // reserved while that instance lives; closing and reopening gives it back.
    mkdirSync(dataDir, { recursive: true });
    await (await PGlite.create(dataDir, OPTIONS)).close();
  }
  const pg = await PGlite.create(dataDir ?? 'memory://', OPTIONS);
  return new PgliteDatabase(pg);
}

/**
 * PGlite's default shared_buffers (≈ 160 MB) is sized for a server; 16 MB keeps the embedded
 * process ≈ 130 MB smaller at the same ingest speed (bench/RESULTS.md), and the operating
 * system's page cache still holds the data files.
 */
const OPTIONS: PGliteOptions = {
  // int8 (count(*), sums of integers) as JavaScript numbers, like the server driver.
  parsers: { 20: (value: string) => Number(value) },
  postgresqlconf: ['shared_buffers=16MB', 'maintenance_work_mem=16MB'],
};

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<R>(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async copyFrom(table: string, columns: readonly string[], text: string | Uint8Array) {
      const result = await target.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
      return result.affectedRows ?? 0;
    },
  };
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly capabilities = { concurrentConnections: false, sharedByProcesses: false, autovacuum: false };
  private readonly direct: Queryable;

  constructor(private readonly pg: PGlite) {
    this.direct = wrap(pg);
  }

  query<R>(sql: string, params?: readonly unknown[]) {
    return this.direct.query<R>(sql, params);
  }

  copyFrom(table: string, columns: readonly string[], text: string | Uint8Array) {
    return this.direct.copyFrom(table, columns, text);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.pg.transaction((tx) => fn(wrap(tx)));
  }

  async exec(sql: string) {
    await this.pg.exec(sql);
  }

  async listen(channel: string, onMessage: (payload: string) => void) {
    const stop = await this.pg.listen(channel, onMessage);
    return async () => stop();
  }

  async close() {
    if (!this.pg.closed) await this.pg.close();
  }
}
