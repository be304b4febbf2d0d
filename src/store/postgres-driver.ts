import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { DEFAULT_SESSION_LIMITS, type SessionLimits } from '../config/config.js';
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
export interface PostgresOptions {
  poolSize?: number;
  /** How long a caller waits for a free connection (0: forever); then it fails with SQLSTATE 53300. */
  poolWaitMs?: number;
  limits?: SessionLimits;
  applicationName?: string;
}

export function openPostgres(url: string, options: PostgresOptions = {}): Database {
  const limits = options.limits ?? DEFAULT_SESSION_LIMITS;
  const keepAliveS = Math.max(1, Math.round(limits.keepAliveMs / 1000));
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.poolWaitMs ?? 0,
    application_name: options.applicationName?.slice(0, 63),
    statement_timeout: limits.statementTimeoutMs,
    lock_timeout: limits.lockTimeoutMs,
    idle_in_transaction_session_timeout: limits.idleInTransactionTimeoutMs,
    // This end notices a dead server; the server's own keepalives notice a dead worker and
    // end its session (and its locks) instead of waiting for TCP to give up after hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: limits.keepAliveMs,
    options: `-c tcp_keepalives_idle=${keepAliveS} -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3`,
  });
  // An idle client that loses its connection must not crash the process.
  pool.on('error', () => {});
  return new PostgresDatabase(pool);
}

/**
 * node-postgres reports a full pool and a dropped connection without a SQLSTATE; give them
 * theirs (53300 too_many_connections, 08006 connection_failure) so callers classify them as
 * every other database failure.
 */
function withSqlState(error: unknown): unknown {
  const failure = error as { code?: string; message?: string } | null;
  if (!failure || typeof failure !== 'object' || failure.code) return error;
  if (/timeout exceeded when trying to connect/i.test(failure.message ?? '')) failure.code = '53300';
  else if (/connection terminated/i.test(failure.message ?? '')) failure.code = '08006';
  return error;
}

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      try {
        const result = await client.query(sql, params as unknown[] | undefined);
        return result.rows as R[];
      } catch (error) {
        throw withSqlState(error);
      }
    },
    async copyFrom(table: string, columns: readonly string[], text: string | Uint8Array) {
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
  readonly capabilities = { concurrentConnections: true, sharedByProcesses: true, autovacuum: true };
  private readonly direct: Queryable;

  constructor(private readonly pool: pg.Pool) {
    this.direct = wrap(pool);
  }

  query<R>(sql: string, params?: readonly unknown[]) {
    return this.direct.query<R>(sql, params);
  }

  copyFrom(table: string, columns: readonly string[], text: string | Uint8Array) {
    return this.transaction((tx) => tx.copyFrom(table, columns, text));
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect().catch((error: unknown) => {
        throw withSqlState(error);
      });
      // A connection that breaks while checked out reports it as an 'error' event; without a
      // listener that event would end the process.
      let broken = false;
      const onError = () => {
        broken = true;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch(() => (broken = true));
        const failure = error as { code?: string };
        // node-postgres gives a lost connection no SQLSTATE; say what it is: connection_failure.
        if (broken && failure && typeof failure === 'object' && !failure.code) failure.code = '08006';
        if (failure?.code && RETRYABLE.has(failure.code) && attempt < MAX_TRANSACTION_TRIES) continue;
        throw error;
      } finally {
        client.off('error', onError);
        if (broken) client.on('error', () => {}); // a dying connection may still report errors
        client.release(broken);
      }
    }
  }

  async exec(sql: string) {
    await this.pool.query(sql);
  }

  /**
   * LISTEN on a connection of its own. If that connection breaks (server restart, terminated
   * backend), it is replaced after a second; notifications sent in between are missed, which
   * costs only latency — workers also poll.
   */
  async listen(channel: string, onMessage: (payload: string) => void) {
    let current: { client: pg.PoolClient; release(destroy: boolean): void } | undefined;
    let stopped = false;
    let retry: NodeJS.Timeout | undefined;
    const handler = (message: pg.Notification) => {
      if (message.channel === channel) onMessage(message.payload ?? '');
    };
    const reconnect = () => {
      if (!stopped) retry = setTimeout(() => void connect().catch(reconnect), 1000);
    };
    const connect = async (): Promise<void> => {
      const client = await this.pool.connect();
      let released = false;
      const release = (destroy: boolean) => {
        if (released) return;
        released = true;
        client.off('notification', handler);
        client.off('error', onError);
        if (destroy) client.on('error', () => {}); // a dying connection may still report errors
        client.release(destroy);
        if (current?.client === client) current = undefined;
      };
      const onError = () => {
        release(true);
        reconnect();
      };
      client.on('notification', handler);
      client.on('error', onError);
      try {
        await client.query(`LISTEN ${quoteIdent(channel)}`);
      } catch (error) {
        release(true);
        throw error;
      }
      if (stopped) return release(true); // stopped while this reconnect was under way (and still LISTENing)
      current = { client, release };
    };
    await connect();
    return async () => {
      stopped = true;
      clearTimeout(retry);
      const listening = current;
      if (!listening) return;
      const ok = await listening.client.query(`UNLISTEN ${quoteIdent(channel)}`).then(
        () => true,
        () => false,
      );
      listening.release(!ok);
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
