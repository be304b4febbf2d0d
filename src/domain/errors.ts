/**
 * Every error the service returns is a `CostsyncError`: a stable `ERROR_*` code (the upstream
 * names, spec §6), a message that says what to fix, and one HTTP and one gRPC status.
 * This is the only place codes are defined; REST and gRPC map them through `httpStatus` and
 * `grpcStatus` and nowhere else.
 *
 * Statuses differ from the upstream where the upstream is wrong (spec §9 item 21):
 * ERROR_JOB_STATE is a precondition (400, FAILED_PRECONDITION), a duplicate sync is a
 * conflict (409, ALREADY_EXISTS) returned before the plugin is called, and a plugin that
 * cannot plan a sync is a bad gateway (502, UNAVAILABLE).
 */

export type GrpcStatusName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'INTERNAL'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED'
  | 'UNIMPLEMENTED';

interface ErrorKind {
  readonly http: number;
  readonly grpc: GrpcStatusName;
}

const INVALID: ErrorKind = { http: 400, grpc: 'INVALID_ARGUMENT' };
const PRECONDITION: ErrorKind = { http: 400, grpc: 'FAILED_PRECONDITION' };
const INTERNAL: ErrorKind = { http: 500, grpc: 'INTERNAL' };

/** The catalogue: code → statuses. Messages are built by the factories below. */
export const ERROR_CODES = {
  ERROR_REQUIRED_PARAMETER: INVALID,
  ERROR_INVALID_PARAMETER: INVALID,
  ERROR_INVALID_PARAMETER_TYPE: INVALID,
  ERROR_OPERATOR_VALUE_TYPE: INVALID,
  ERROR_OPERATOR_LIST_VALUE_TYPE: INVALID,
  ERROR_OPERATOR_DICT_VALUE_TYPE: INVALID,
  ERROR_OPERATOR_BOOLEAN_TYPE: INVALID,
  ERROR_DB_QUERY: INVALID,
  ERROR_NOT_SUPPORT_API: INVALID,
  ERROR_NOT_SUPPORT_QUERY_OPTION: INVALID,
  ERROR_INVALID_DATE_RANGE: INVALID,
  ERROR_REQUEST_TOO_LARGE: { http: 413, grpc: 'RESOURCE_EXHAUSTED' },
  ERROR_NOT_FOUND: { http: 404, grpc: 'NOT_FOUND' },
  ERROR_SAVE_UNIQUE_VALUES: { http: 409, grpc: 'ALREADY_EXISTS' },
  ERROR_DUPLICATE_JOB: { http: 409, grpc: 'ALREADY_EXISTS' },
  ERROR_AUTHENTICATE_FAILURE: { http: 401, grpc: 'UNAUTHENTICATED' },
  ERROR_PERMISSION_DENIED: { http: 403, grpc: 'PERMISSION_DENIED' },
  ERROR_JOB_STATE: PRECONDITION,
  ERROR_DATA_SOURCE_STATE: PRECONDITION,
  ERROR_NOT_ALLOW_SYNC_COMMAND: PRECONDITION,
  ERROR_NOT_ALLOW_PLUGIN_SETTINGS: PRECONDITION,
  ERROR_NOT_ALLOW_SECRET_FILTER: PRECONDITION,
  ERROR_GET_JOB_TASKS: { http: 502, grpc: 'UNAVAILABLE' },
  ERROR_PLUGIN: { http: 502, grpc: 'UNAVAILABLE' },
  ERROR_UNAVAILABLE: { http: 503, grpc: 'UNAVAILABLE' },
  ERROR_QUERY_TIMEOUT: { http: 503, grpc: 'DEADLINE_EXCEEDED' },
  ERROR_JOB_TASK: INTERNAL,
  ERROR_JOB_TIMEOUT: { http: 504, grpc: 'DEADLINE_EXCEEDED' },
  ERROR_TASK_TIMEOUT: { http: 504, grpc: 'DEADLINE_EXCEEDED' },
  ERROR_TASK_ATTEMPTS: INTERNAL,
  ERROR_CONFIGURATION: INTERNAL,
  ERROR_UNKNOWN: INTERNAL,
} as const satisfies Record<string, ErrorKind>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class CostsyncError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly grpcStatus: GrpcStatusName;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CostsyncError';
    this.code = code;
    this.httpStatus = ERROR_CODES[code].http;
    this.grpcStatus = ERROR_CODES[code].grpc;
  }

  /** The REST body, `{"detail": {"code", "message"}}` as the upstream REST layer returns it. */
  toBody(): { detail: { code: ErrorCode; message: string } } {
    return { detail: { code: this.code, message: this.message } };
  }
}

export function isCostsyncError(error: unknown): error is CostsyncError {
  return error instanceof CostsyncError;
}

/**
 * Anything thrown becomes a CostsyncError: a database that failed or ran out of time is
 * ERROR_UNAVAILABLE / ERROR_QUERY_TIMEOUT (503); anything else unexpected is ERROR_UNKNOWN whose
 * message reveals nothing of the server (`requestId` finds the details in the log).
 */
export function toCostsyncError(error: unknown, requestId?: string): CostsyncError {
  if (isCostsyncError(error)) return error;
  const database = databaseFailure(error);
  if (database) return database;
  const where = requestId ? ` (request_id = ${requestId})` : '';
  return new CostsyncError('ERROR_UNKNOWN', `Internal error.${where}`, { cause: error });
}

/**
 * SQLSTATEs (and socket errors) that say the database failed, not the request: classes 08
 * (connection), 40 (rolled back: serialization, deadlock), 53 (resources, a full pool), 57P
 * (shutdown), 25P03 (idle-in-transaction timeout), 55P03 (lock timeout); and 57014, a statement
 * that ran past its timeout. The engine retries a task attempt after any of them.
 */
const SOCKET_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const STATEMENT_TIMEOUT = '57014';

export function isTransientDatabaseError(code: unknown): boolean {
  if (typeof code !== 'string') return false;
  return (
    /^(08|40|53)[0-9A-Z]{3}$/.test(code) ||
    /^57P0[1-3]$/.test(code) ||
    ['25P03', '55P03', STATEMENT_TIMEOUT].includes(code) ||
    SOCKET_ERRORS.has(code)
  );
}

function databaseFailure(error: unknown): CostsyncError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === STATEMENT_TIMEOUT) {
    return new CostsyncError(
      'ERROR_QUERY_TIMEOUT',
      'The query ran longer than the API allows (COSTSYNC_API_QUERY_TIMEOUT_S). Narrow it: filter by data source and billed months, group by fewer keys, simplify its patterns.',
      { cause: error },
    );
  }
  if (!isTransientDatabaseError(code)) return undefined;
  return new CostsyncError('ERROR_UNAVAILABLE', 'Service unavailable. (reason = the database is unavailable or busy; try again shortly)', {
    cause: error,
  });
}

/** A value as a message shows it: whole when short, else its start and its length (a message travels in a gRPC header). */
const show = (value: unknown): string => {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length <= 120 ? text : `${text.slice(0, 100)}… (${text.length.toLocaleString('en-US')} characters)`;
};

/** Factories: one per situation, so messages stay the same everywhere. */
export const err = {
  required: (key: string) => new CostsyncError('ERROR_REQUIRED_PARAMETER', `Required parameter. (key = ${key})`),
  invalid: (key: string, reason: string) =>
    new CostsyncError('ERROR_INVALID_PARAMETER', `Parameter is invalid. (key = ${key}, reason = ${reason})`),
  invalidType: (key: string, type: string) =>
    new CostsyncError('ERROR_INVALID_PARAMETER_TYPE', `Parameter type is invalid. (key = ${key}, type = ${type})`),
  notFound: (key: string, value: unknown) =>
    new CostsyncError('ERROR_NOT_FOUND', `Resource cannot be found or access is denied. (${key} = ${show(value)})`),
  unique: (keys: string) => new CostsyncError('ERROR_SAVE_UNIQUE_VALUES', `Tried to save duplicate unique values. (keys = ${keys})`),
  duplicateJob: (dataSourceId: string, runningJobId: string) =>
    new CostsyncError(
      'ERROR_DUPLICATE_JOB',
      `The same job is already running. (data_source_id = ${dataSourceId}, job_id = ${runningJobId}) Wait for it to finish or cancel it first.`,
    ),
  jobState: (state: string) => new CostsyncError('ERROR_JOB_STATE', `Only running jobs can be canceled. (job_state = ${state})`),
  dataSourceState: (dataSourceId: string) =>
    new CostsyncError(
      'ERROR_DATA_SOURCE_STATE',
      `Data source is disabled. (data_source_id = ${dataSourceId}) Enable it with update(schedule.state = ENABLED).`,
    ),
  notAllowSync: (dataSourceId: string) =>
    new CostsyncError('ERROR_NOT_ALLOW_SYNC_COMMAND', `Local type does not allow sync commands. (data_source_id = ${dataSourceId})`),
  notAllowPluginSettings: (dataSourceId: string) =>
    new CostsyncError('ERROR_NOT_ALLOW_PLUGIN_SETTINGS', `Local type does not allow plugin settings. (data_source_id = ${dataSourceId})`),
  getJobTasks: (dataSourceId: string, reason: string) =>
    new CostsyncError('ERROR_GET_JOB_TASKS', `Failed to get job tasks. (data_source_id = ${dataSourceId}, reason = ${reason})`),
  plugin: (reason: string) => new CostsyncError('ERROR_PLUGIN', `Plugin call failed. (reason = ${reason})`),
  authenticate: (message: string) => new CostsyncError('ERROR_AUTHENTICATE_FAILURE', `Authenticate failure. (message = ${message})`),
  permission: (reason?: string) =>
    new CostsyncError('ERROR_PERMISSION_DENIED', reason ? `Permission denied. (${reason})` : 'Permission denied.'),
  notAllowSecretFilter: (dataSourceId: string) =>
    new CostsyncError(
      'ERROR_NOT_ALLOW_SECRET_FILTER',
      `Only USE_SERVICE_ACCOUNT_SECRET data sources take a secret filter. (data_source_id = ${dataSourceId})`,
    ),
  operatorValue: (operator: string, condition: unknown) =>
    new CostsyncError(
      'ERROR_OPERATOR_VALUE_TYPE',
      `The value of '${operator}' operator must be a single value, not a list. (condition = ${show(condition)})`,
    ),
  operatorListValue: (operator: string, condition: unknown) =>
    new CostsyncError(
      'ERROR_OPERATOR_LIST_VALUE_TYPE',
      `The value of '${operator}' operator must be a list. (condition = ${show(condition)})`,
    ),
  operatorBoolean: (operator: string, condition: unknown) =>
    new CostsyncError(
      'ERROR_OPERATOR_BOOLEAN_TYPE',
      `The value of '${operator}' operator must be a boolean. (condition = ${show(condition)})`,
    ),
  operatorDict: (operator: string, condition: unknown) =>
    new CostsyncError(
      'ERROR_OPERATOR_DICT_VALUE_TYPE',
      `The value of '${operator}' operator must be an object such as {"start": "2025-08"}. (condition = ${show(condition)})`,
    ),
  invalidDateRange: (reason: string) => new CostsyncError('ERROR_INVALID_DATE_RANGE', reason),
  notSupportQueryOption: (option: string, reason: string) =>
    new CostsyncError('ERROR_NOT_SUPPORT_QUERY_OPTION', `Not support query option. (query_option = ${option}, reason = ${reason})`),
  notSupportApi: () => new CostsyncError('ERROR_NOT_SUPPORT_API', 'Not support API.'),
  unavailable: (reason: string) => new CostsyncError('ERROR_UNAVAILABLE', `Service unavailable. (reason = ${reason})`),
  dbQuery: (reason: string) => new CostsyncError('ERROR_DB_QUERY', `Database query failed. (reason = ${reason})`),
  configuration: (reason: string) => new CostsyncError('ERROR_CONFIGURATION', `Configuration is invalid. (${reason})`),
};
