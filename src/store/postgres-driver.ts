import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import type { Database, Queryable } from './database.js';

/** int8 as number, like PGlite (counts and integer sums stay far below 2^53). */
pg.types.setTypeParser(20, (value: string) => Number(value));

/** SQLSTATEs after which a whole transaction can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_TRANSACTION_TRIES = 5;

/**
 * A PostgreSQL server through a node-postgres pool. Many processes (serve, workers on other
 * machines) can share it; the engine's claim, lease and fence statements are what keep them apart.
 */
export function openPostgres(url: string, poolSize = 10): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  return new PostgresDatabase(pool);
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await client.query(sql, params as unknown[] | undefined);
      return result.rows as R[];
    },
    async copyFrom(table: string, columns: readonly string[], text: string) {
      if (!('release' in client)) throw new Error('copyFrom needs a transaction on the server driver');
      const stream = client.query(copyFromStdin(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await new Promise<void>((resolve, reject) => {
        stream.on('error', reject);
        stream.on('finish', resolve);
        stream.end(text);
      });
      return Number(stream.rowCount ?? 0);
    },
  };
}

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly capabilities = { concurrentConnections: true, sharedByProcesses: true };
  private readonly direct: Queryable;

  constructor(private readonly pool: pg.Pool) {
    this.direct = wrap(pool);
  }

  query<R>(sql: string, params?: readonly unknown[]) {
    return this.direct.query<R>(sql, params);
  }

  copyFrom(table: string, columns: readonly string[], text: string) {
    return this.transaction((tx) => tx.copyFrom(table, columns, text));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_TRANSACTION_TRIES) continue;
        throw error;
      } finally {
        client.release();
      }
    }
  }

  async exec(sql: string) {
    await this.pool.query(sql);
  }

  async listen(channel: string, onMessage: (payload: string) => void) {
    const client = await this.pool.connect();
    const handler = (message: pg.Notification) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    };
    client.on('notification', handler);
    await client.query(`LISTEN ${quoteIdent(channel)}`);
    return async () => {
      client.off('notification', handler);
      await client.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => {});
      client.release();
    };
  }

  async close() {
    await this.pool.end();
  }
}

function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`invalid channel name: ${name}`);
  return name;
}
