/**
 * The database port. Everything above `store/` talks to PostgreSQL through this interface,
 * with one SQL dialect; two drivers implement it: PGlite (embedded, in a data directory) and
 * node-postgres (a server, for scale and for many worker processes on many machines).
 *
 * Lock order, everywhere: a transaction that changes both a job and its tasks locks the `job`
 * row first, then `job_task` rows. Keeping one order is what makes the engine deadlock-free.
 */

export type Row = Record<string, unknown>;

export interface Queryable {
  /** One statement with `$n` parameters; returns its rows. */
  query<R = Row>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** `COPY table (columns) FROM STDIN` in PostgreSQL text format; returns the rows copied. */
  copyFrom(table: string, columns: readonly string[], text: string | Uint8Array): Promise<number>;
}

export interface DatabaseCapabilities {
  /** Several connections can run at once (PostgreSQL server); PGlite has one. */
  readonly concurrentConnections: boolean;
  /** Other processes can open the same database (`costsync worker` on other machines). */
  readonly sharedByProcesses: boolean;
  /** The server vacuums tables itself; PGlite has no autovacuum (engine/history.ts vacuums for it). */
  readonly autovacuum: boolean;
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  readonly capabilities: DatabaseCapabilities;
  /** Runs `fn` in one transaction (READ COMMITTED); commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Calls `onMessage` for every NOTIFY on `channel`; resolves to an unsubscribe function. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/**
 * Runs `fn` on one consistent view of the database (REPEATABLE READ, READ ONLY): several reads
 * that must agree — a page and its total count — see the same committed generation, whatever
 * commits meanwhile. Never blocks writers.
 */
export function readSnapshot<T>(db: Database, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}

/** The first row, or `undefined`. */
export async function queryOne<R = Row>(db: Queryable, sql: string, params?: readonly unknown[]): Promise<R | undefined> {
  const rows = await db.query<R>(sql, params);
  return rows[0];
}
