import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Database, Queryable } from './database.js';

/**
 * Embedded PostgreSQL (WASM). One connection: PGlite serialises queries and holds its lock for
 * the whole of a transaction, so `transaction()` gives the same isolation as the server, and
 * code inside a transaction must use the `tx` it is given (a query on the outer handle would
 * wait for the transaction to end). COPY reads its data from a Blob (`FROM '/dev/blob'`).
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = await PGlite.create(dataDir ?? 'memory://', { parsers: INT8_AS_NUMBER });
  return new PgliteDatabase(pg);
}

/** int8 (count(*), sums of integers) as JavaScript numbers, like the server driver. */
const INT8_AS_NUMBER = { 20: (value: string) => Number(value) };

function wrap(target: PGlite | Transaction): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await target.query<R>(sql, params as unknown[] | undefined);
      return result.rows;
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      const result = await target.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], {
        blob: new Blob([text]),
      });
      return result.affectedRows ?? 0;
    },
  };
}

class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  readonly capabilities = { concurrentConnections: false, sharedByProcesses: false };
  private readonly direct: Queryable;

  constructor(private readonly pg: PGlite) {
    this.direct = wrap(pg);
  }

  query<R>(sql: string, params?: readonly unknown[]) {
    return this.direct.query<R>(sql, params);
  }

  copyFrom(table: string, columns: readonly string[], text: string) {
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
