import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { err } from '../domain/errors.js';
import { isGrpcEndpoint } from '../plugins/grpc/endpoint.js';

/**
 * One typed configuration, compiled once from the environment (and defaults); nothing below
 * the composition root reads `process.env`.
 */
export interface Config {
  /** Data directory: the embedded database, the key files. `COSTSYNC_DATA_DIR`, default `./.costsync`. */
  readonly dataDir: string;
  /** `COSTSYNC_DATABASE_URL=postgres://…` selects the PostgreSQL server instead of the embedded database. */
  readonly databaseUrl?: string;
  /** `costsync worker` runs at this CPU niceness (`COSTSYNC_WORKER_NICE`, default 19, 0–19): an API server on the same machine answers first. */
  readonly workerNice: number;
  /** `COSTSYNC_HEAP_GROWTH_PERCENT` (default 30): see app/heap.ts. */
  readonly heapGrowthPercent: number;
  readonly http: { readonly host: string; readonly port: number };
  /** The gRPC API: `COSTSYNC_GRPC_HOST` (default: the HTTP host), `COSTSYNC_GRPC_PORT` (default 50051). */
  readonly grpc: { readonly host: string; readonly port: number };
  /**
   * Plugin ids served by gRPC endpoints (`COSTSYNC_PLUGIN_ENDPOINTS`, a JSON object such as
   * `{"aws-cost": "grpc://plugins.internal:50051"}`); a `plugin_id` may also be the URL itself.
   */
  readonly pluginEndpoints: Readonly<Record<string, string>>;
  /** Signing key for API tokens (`COSTSYNC_TOKEN_SECRET`); else a key file in the data directory. */
  readonly tokenSecret?: string;
  /** Key that encrypts plugin secrets at rest (`COSTSYNC_SECRET_KEY`, 64 hex digits); else a key file. */
  readonly secretKey?: string;
  readonly demo: boolean;
  readonly engine: EngineConfig;
  readonly database: SessionLimits;
  readonly api: ApiLimits;
  /**
   * What plugins may reach besides public hosts: `COSTSYNC_ALLOW_FILE_ROOTS` (comma-separated
   * directories whose files `file://` URLs may read; none by default) and `COSTSYNC_ALLOW_HOSTS`
   * (comma-separated host names, `host:port`, IP addresses or CIDR ranges that are not public but
   * may be reached). See plugins/access/policy.ts.
   */
  readonly access: { readonly fileRoots: readonly string[]; readonly hosts: readonly string[] };
  /** The synthetic plugin's fault switches (`hang_task`, `page_delay_ms`, …), for tests and demos (`COSTSYNC_SYNTHETIC_FAULTS`, default off). */
  readonly syntheticFaults: boolean;
}

/**
 * What one request may take, so that no request or tenant slows the others. On a PostgreSQL
 * server the API has a connection pool of its own (the workers have theirs), its statements a
 * shorter timeout, and cost queries — the ones that can be heavy — a number of slots, overall
 * and per domain.
 */
export interface ApiLimits {
  /** A request's statement runs at most this long (`COSTSYNC_API_QUERY_TIMEOUT_S`, default 10): 503 ERROR_QUERY_TIMEOUT. */
  readonly queryTimeoutMs: number;
  /** Connections of the API's pool (`COSTSYNC_API_POOL_SIZE`, default 10). */
  readonly poolSize: number;
  /** A request waits at most this long for a connection (`COSTSYNC_API_POOL_WAIT_S`, default 5): 503 ERROR_UNAVAILABLE. */
  readonly poolWaitMs: number;
  /** Cost list/stat/analyze requests running at once (`COSTSYNC_API_COST_QUERIES`, default 4) … */
  readonly costQueries: number;
  /** … and at once per domain (`COSTSYNC_API_COST_QUERIES_PER_DOMAIN`, default 2); others wait up to the pool wait. */
  readonly costQueriesPerDomain: number;
}

/**
 * Limits on every database session (PostgreSQL server), so that no statement, lock wait or
 * open transaction outlives a bounded time — a frozen or cut-off worker's locks are released
 * by the server — and a dead peer is noticed by TCP keepalives on both ends.
 */
export interface SessionLimits {
  /** One statement runs at most this long (`COSTSYNC_DB_STATEMENT_TIMEOUT_S`, default 120). */
  readonly statementTimeoutMs: number;
  /** A statement waits at most this long for a lock (`COSTSYNC_DB_LOCK_TIMEOUT_S`, default 10). */
  readonly lockTimeoutMs: number;
  /** A transaction may sit idle this long before the server ends it (`COSTSYNC_DB_IDLE_IN_TRANSACTION_S`, default 30). */
  readonly idleInTransactionTimeoutMs: number;
  /** TCP keepalive idle time, client and server side (`COSTSYNC_DB_KEEPALIVE_S`, default 10; probes every 5 s, 3 of them). */
  readonly keepAliveMs: number;
}

export interface EngineConfig {
  /** Tasks one process runs at once (`COSTSYNC_WORKER_CONCURRENCY`). */
  readonly concurrency: number;
  /** Names this process in task leases. */
  readonly workerId: string;
  /** A claimed task belongs to its worker this long without a heartbeat (`COSTSYNC_TASK_LEASE_S`). */
  readonly leaseMs: number;
  /** How often a running task renews its lease and looks for cancellation. */
  readonly heartbeatMs: number;
  /** How often an idle worker looks for new tasks (new tasks also wake it at once in-process). */
  readonly pollMs: number;
  /** How often the reaper looks for expired leases, stalled tasks and jobs past their deadline. */
  readonly reapMs: number;
  /** A job still running this long after it started ends TIMEOUT (`COSTSYNC_JOB_TIMEOUT_S`). */
  readonly jobTimeoutMs: number;
  /** A task that receives no page from its plugin for this long ends TIMEOUT (`COSTSYNC_TASK_STALL_TIMEOUT_S`). */
  readonly taskStallTimeoutMs: number;
  /**
   * get_tasks must answer within this time (`COSTSYNC_PLAN_TIMEOUT_S`, default 180); a job whose
   * planning process died is ended by any reaper after twice this time, freeing its data source.
   */
  readonly planTimeoutMs: number;
  /** Attempts per task for transient plugin errors and lost workers. */
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt. */
  readonly retryBackoffMs: number;
  /** Rows per fenced write: one COPY and one lease check (`COSTSYNC_BATCH_ROWS`). */
  readonly batchRows: number;
  /** Cost rows older than this many months are deleted when a job closes; 0 keeps everything. */
  readonly retentionMonths: number;
  /** Finished jobs (and their tasks) older than this many days are deleted (`COSTSYNC_JOB_HISTORY_DAYS`, default 90; 0 keeps all). */
  readonly historyDays: number;
  /** Run the hourly scheduler in this process. */
  readonly scheduler: boolean;
  /** Tasks one plan may have (`COSTSYNC_PLAN_MAX_TASKS`, default 10,000); more fails the sync. */
  readonly maxPlanTasks: number;
  /** Rows one page may have (`COSTSYNC_PAGE_MAX_ROWS`, default 100,000); more fails the task. */
  readonly maxPageRows: number;
  /** Bytes one page from a gRPC plugin may have (`COSTSYNC_PAGE_MAX_BYTES`, default 32 MiB); more fails the task. */
  readonly maxPageBytes: number;
  /** What one cost row may hold; more fails the task naming the row. */
  readonly rowLimits: RowLimits;
}

export interface RowLimits {
  /** Keys of `tags`, `additional_info` or `data` in one row (`COSTSYNC_ROW_MAX_KEYS`, default 500). */
  readonly maxKeys: number;
  /** Characters of one text field, or of one of those objects as JSON (`COSTSYNC_ROW_MAX_VALUE_CHARS`, default 65,536). */
  readonly maxValueChars: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = {
  statementTimeoutMs: 120_000,
  lockTimeoutMs: 10_000,
  idleInTransactionTimeoutMs: 30_000,
  keepAliveMs: 10_000,
};

export const DEFAULT_ENGINE: Omit<EngineConfig, 'workerId'> = {
  concurrency: 2,
  leaseMs: 30_000,
  heartbeatMs: 2_000,
  pollMs: 1_000,
  reapMs: 2_000,
  jobTimeoutMs: 2 * 60 * 60 * 1000,
  taskStallTimeoutMs: 10 * 60 * 1000,
  planTimeoutMs: 180_000,
  maxAttempts: 3,
  retryBackoffMs: 1_000,
  batchRows: 5_000,
  retentionMonths: 12,
  historyDays: 90,
  scheduler: true,
  maxPlanTasks: 10_000,
  maxPageRows: 100_000,
  maxPageBytes: 32 * 1024 * 1024,
  rowLimits: { maxKeys: 500, maxValueChars: 65_536 },
};

type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw err.configuration(`${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return !['0', 'false', 'no', 'off'].includes(raw.toLowerCase());
}

/** Heartbeats renew a lease well before it runs out: at most every 2 s, at least 3 times per lease. */
function leaseTimings(leaseMs: number): { leaseMs: number; heartbeatMs: number } {
  return { leaseMs, heartbeatMs: Math.min(DEFAULT_ENGINE.heartbeatMs, Math.floor(leaseMs / 3)) };
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Host names, `host:port`, IPv4/IPv6 addresses or CIDR ranges. */
function accessHosts(raw: string | undefined): string[] {
  const hosts = list(raw);
  for (const host of hosts) {
    const cidr = /^([0-9a-fA-F:.]+)\/(\d{1,3})$/.exec(host);
    const fine = cidr ? isIP(cidr[1]) !== 0 && Number(cidr[2]) <= (isIP(cidr[1]) === 4 ? 32 : 128) : /^[\w.\-:[\]]+$/.test(host);
    if (!fine) throw err.configuration(`COSTSYNC_ALLOW_HOSTS: "${host}" is not a host name, host:port, IP address or CIDR range`);
  }
  return hosts;
}

function pluginEndpoints(raw: string | undefined): Record<string, string> {
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw err.configuration('COSTSYNC_PLUGIN_ENDPOINTS must be a JSON object of plugin id → grpc://host:port');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw err.configuration('COSTSYNC_PLUGIN_ENDPOINTS must be a JSON object of plugin id → grpc://host:port');
  }
  for (const [id, url] of Object.entries(parsed)) {
    if (typeof url !== 'string' || !isGrpcEndpoint(url)) {
      throw err.configuration(`COSTSYNC_PLUGIN_ENDPOINTS["${id}"] must be grpc://host:port or grpc+ssl://host:port`);
    }
  }
  return parsed as Record<string, string>;
}

export function loadConfig(env: Env = process.env, overrides: Partial<EngineConfig> = {}): Config {
  const databaseUrl = env.COSTSYNC_DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw err.configuration('COSTSYNC_DATABASE_URL must start with postgres:// or postgresql://');
  }
  const secretKey = env.COSTSYNC_SECRET_KEY || undefined;
  if (secretKey && !/^[0-9a-fA-F]{64}$/.test(secretKey)) {
    throw err.configuration('COSTSYNC_SECRET_KEY must be 64 hex digits (32 bytes); generate one with `openssl rand -hex 32`');
  }
  return {
    dataDir: env.COSTSYNC_DATA_DIR || './.costsync',
    databaseUrl,
    workerNice: integer(env, 'COSTSYNC_WORKER_NICE', 19),
    heapGrowthPercent: integer(env, 'COSTSYNC_HEAP_GROWTH_PERCENT', 30),
    http: { host: env.COSTSYNC_HTTP_HOST || '127.0.0.1', port: integer(env, 'COSTSYNC_HTTP_PORT', 8080) },
    grpc: {
      host: env.COSTSYNC_GRPC_HOST || env.COSTSYNC_HTTP_HOST || '127.0.0.1',
      port: integer(env, 'COSTSYNC_GRPC_PORT', 50051),
    },
    pluginEndpoints: pluginEndpoints(env.COSTSYNC_PLUGIN_ENDPOINTS),
    tokenSecret: env.COSTSYNC_TOKEN_SECRET || undefined,
    secretKey,
    demo: flag(env, 'COSTSYNC_DEMO', true),
    access: { fileRoots: list(env.COSTSYNC_ALLOW_FILE_ROOTS), hosts: accessHosts(env.COSTSYNC_ALLOW_HOSTS) },
    syntheticFaults: flag(env, 'COSTSYNC_SYNTHETIC_FAULTS', false),
    api: {
      queryTimeoutMs: integer(env, 'COSTSYNC_API_QUERY_TIMEOUT_S', 10, 1) * 1000,
      poolSize: integer(env, 'COSTSYNC_API_POOL_SIZE', 10, 2),
      poolWaitMs: integer(env, 'COSTSYNC_API_POOL_WAIT_S', 5, 1) * 1000,
      costQueries: integer(env, 'COSTSYNC_API_COST_QUERIES', 4, 1),
      costQueriesPerDomain: integer(env, 'COSTSYNC_API_COST_QUERIES_PER_DOMAIN', 2, 1),
    },
    database: {
      statementTimeoutMs: integer(env, 'COSTSYNC_DB_STATEMENT_TIMEOUT_S', DEFAULT_SESSION_LIMITS.statementTimeoutMs / 1000, 1) * 1000,
      lockTimeoutMs: integer(env, 'COSTSYNC_DB_LOCK_TIMEOUT_S', DEFAULT_SESSION_LIMITS.lockTimeoutMs / 1000, 1) * 1000,
      idleInTransactionTimeoutMs:
        integer(env, 'COSTSYNC_DB_IDLE_IN_TRANSACTION_S', DEFAULT_SESSION_LIMITS.idleInTransactionTimeoutMs / 1000, 1) * 1000,
      keepAliveMs: integer(env, 'COSTSYNC_DB_KEEPALIVE_S', DEFAULT_SESSION_LIMITS.keepAliveMs / 1000, 1) * 1000,
    },
    engine: {
      ...DEFAULT_ENGINE,
      workerId: `${hostname()}:${process.pid}`,
      concurrency: integer(env, 'COSTSYNC_WORKER_CONCURRENCY', DEFAULT_ENGINE.concurrency),
      jobTimeoutMs: integer(env, 'COSTSYNC_JOB_TIMEOUT_S', DEFAULT_ENGINE.jobTimeoutMs / 1000, 1) * 1000,
      taskStallTimeoutMs: integer(env, 'COSTSYNC_TASK_STALL_TIMEOUT_S', DEFAULT_ENGINE.taskStallTimeoutMs / 1000, 1) * 1000,
      planTimeoutMs: integer(env, 'COSTSYNC_PLAN_TIMEOUT_S', DEFAULT_ENGINE.planTimeoutMs / 1000, 1) * 1000,
      maxAttempts: integer(env, 'COSTSYNC_TASK_MAX_ATTEMPTS', DEFAULT_ENGINE.maxAttempts, 1),
      ...leaseTimings(integer(env, 'COSTSYNC_TASK_LEASE_S', DEFAULT_ENGINE.leaseMs / 1000, 1) * 1000),
      retentionMonths: integer(env, 'COSTSYNC_RETENTION_MONTHS', DEFAULT_ENGINE.retentionMonths),
      historyDays: integer(env, 'COSTSYNC_JOB_HISTORY_DAYS', DEFAULT_ENGINE.historyDays),
      batchRows: integer(env, 'COSTSYNC_BATCH_ROWS', DEFAULT_ENGINE.batchRows, 1),
      scheduler: flag(env, 'COSTSYNC_SCHEDULER', true),
      maxPlanTasks: integer(env, 'COSTSYNC_PLAN_MAX_TASKS', DEFAULT_ENGINE.maxPlanTasks, 1),
      maxPageRows: integer(env, 'COSTSYNC_PAGE_MAX_ROWS', DEFAULT_ENGINE.maxPageRows, 1),
      maxPageBytes: integer(env, 'COSTSYNC_PAGE_MAX_BYTES', DEFAULT_ENGINE.maxPageBytes, 1024),
      rowLimits: {
        maxKeys: integer(env, 'COSTSYNC_ROW_MAX_KEYS', DEFAULT_ENGINE.rowLimits.maxKeys, 1),
        maxValueChars: integer(env, 'COSTSYNC_ROW_MAX_VALUE_CHARS', DEFAULT_ENGINE.rowLimits.maxValueChars, 1),
      },
      ...overrides,
    },
  };
}
