// @ts-check
import { currentToken } from './session.js';

/*
 * The answers the pages read, as the API sends them (the views in src/api/views.ts): snake_case,
 * timestamps as ISO strings, null fields omitted, numbers always present. The answers are
 * trusted, not validated: `call` only types them.
 */

/** @typedef {'IN_PROGRESS' | 'SUCCESS' | 'FAILURE' | 'TIMEOUT' | 'CANCELED'} JobStatus */
/** @typedef {'PENDING' | JobStatus} TaskStatus */

/**
 * A month range a job replaces when it succeeds.
 * @typedef {object} ChangedWindow
 * @property {string} start  `YYYY-MM`
 * @property {string} [end]
 * @property {Record<string, unknown>} [filter]
 */

/**
 * @typedef {object} Job
 * @property {string} job_id
 * @property {JobStatus} status
 * @property {{ sync_mode?: string, start?: string | null, no_preload_cache?: boolean }} options
 * @property {string} [error_code]
 * @property {string} [error_message]
 * @property {number} total_tasks
 * @property {number} remained_tasks
 * @property {ChangedWindow[]} changed
 * @property {number} [retention_deleted_count]  rows retention removed when the job was published
 * @property {string} [retained_from]  the first month retention kept (YYYY-MM)
 * @property {string} data_source_id
 * @property {string} created_at
 * @property {string} [finished_at]
 */

/**
 * @typedef {object} JobTask
 * @property {string} job_task_id
 * @property {TaskStatus} status
 * @property {Record<string, unknown>} options
 * @property {number} created_count  rows written
 * @property {number} attempt  how often the task was tried
 * @property {string} [error_code]
 * @property {string} [error_message]
 * @property {string} job_id
 * @property {string} [started_at]
 * @property {string} [finished_at]
 */

/**
 * @typedef {object} DataSource
 * @property {string} data_source_id
 * @property {string} name
 * @property {'LOCAL' | 'EXTERNAL'} data_source_type
 * @property {{ plugin_id: string, options?: Record<string, unknown>, metadata?: { currency?: string } }} [plugin_info]  absent for LOCAL data sources
 * @property {{ state: 'ENABLED' | 'DISABLED', hour?: number }} schedule
 * @property {number} [retention_months]  absent: the server's default
 * @property {string} [last_synchronized_at]
 */

/**
 * Published rows and cost of one month (a Cost.stat group).
 * @typedef {{ billed_month: string, rows: number, cost: number }} CostMonth
 */

/**
 * A list answer: one page of `results`, and how many match in all.
 * @template T
 * @typedef {{ results: T[], total_count: number }} ListAnswer
 */

/**
 * The query part of a list or stat request (spec §3): sort, page, filter, aggregate.
 * @typedef {object} Query
 * @property {{ key: string, desc?: boolean }[]} [sort]
 * @property {{ start?: number, limit: number }} [page]
 * @property {{ k: string, v: unknown, o: string }[]} [filter]
 * @property {object[]} [aggregate]
 * @property {string} [keyword]  matched against the resource's id
 */

/** @typedef {{ query: Query, data_source_id?: string, status?: string }} JobListRequest */

/**
 * What a page shows when something fails: an ApiError (with its code) or an unexpected Error.
 * @typedef {Error & { code?: string }} Failure
 */

/** An API error: HTTP status, `ERROR_*` code and the server's message. */
export class ApiError extends Error {
  /**
   * @param {number} status  0 when the server does not answer
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    /** @type {number} */
    this.status = status;
    /** @type {string} */
    this.code = code;
  }
}

/**
 * Called when the server refuses the token (401): the page signs out.
 * @type {(error: ApiError) => void}
 */
let onUnauthenticated = () => {};
/** @param {(error: ApiError) => void} handler */
export const whenUnauthenticated = (handler) => {
  onUnauthenticated = handler;
};

/**
 * `POST <path>` with a JSON body and the session's bearer token; resolves with the JSON answer.
 * `T` is the answer's wire shape, taken from the caller's declared return type.
 * @template [T=unknown]
 * @param {string} path
 * @param {object} [body]
 * @param {string | null} [token]
 * @returns {Promise<T>}
 */
export async function call(path, body = {}, token = currentToken()) {
  /** @type {Response} */
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'ERROR_UNAVAILABLE', 'costsync does not answer; is the server running?');
  }
  /** @type {unknown} */
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = /** @type {{ detail?: { code?: string, message?: string } }} */ (payload).detail ?? {};
    const error = new ApiError(response.status, detail.code ?? `HTTP_${response.status}`, detail.message ?? response.statusText);
    if (response.status === 401 && token === currentToken()) onUnauthenticated(error);
    throw error;
  }
  return /** @type {T} */ (payload);
}

const V1 = '/cost-analysis/v1';

export const api = {
  /** @param {JobListRequest} request @returns {Promise<ListAnswer<Job>>} */
  jobs: (request) => call(`${V1}/job/list`, request),
  /** @param {string} jobId @returns {Promise<Job>} */
  job: (jobId) => call(`${V1}/job/get`, { job_id: jobId }),
  /** @param {string} jobId @returns {Promise<Job>} */
  cancelJob: (jobId) => call(`${V1}/job/cancel`, { job_id: jobId }),
  /** @param {string} jobId @returns {Promise<ListAnswer<JobTask>>} */
  tasks: (jobId) => call(`${V1}/job-task/list`, { job_id: jobId, query: { sort: [{ key: 'created_at' }], page: { limit: 10000 } } }),
  /**
   * Rows written so far per job: `{job_id → rows}`.
   * @param {string[]} jobIds
   * @returns {Promise<Record<string, number>>}
   */
  async rowsByJob(jobIds) {
    if (jobIds.length === 0) return {};
    /** @type {{ results: { job_id: string, rows?: number }[] }} */
    const answer = await call(`${V1}/job-task/stat`, {
      query: {
        filter: [{ k: 'job_id', v: jobIds, o: 'in' }],
        aggregate: [
          { group: { keys: [{ key: 'job_id', name: 'job_id' }], fields: [{ key: 'created_count', name: 'rows', operator: 'sum' }] } },
        ],
      },
    });
    return Object.fromEntries(answer.results.map((r) => [r.job_id, r.rows ?? 0]));
  },
  /** @returns {Promise<ListAnswer<DataSource>>} */
  dataSources: () => call(`${V1}/data-source/list`, { query: { sort: [{ key: 'name' }] } }),
  /** @param {string} dataSourceId @returns {Promise<Job>} the job it started */
  sync: (dataSourceId) => call(`${V1}/data-source/sync`, { data_source_id: dataSourceId }),
  /**
   * Published rows and cost per month of a data source, oldest first: `[{billed_month, rows, cost}]`.
   * @param {string} dataSourceId
   * @returns {Promise<{ results: CostMonth[] }>}
   */
  costMonths: (dataSourceId) =>
    call(`${V1}/cost/stat`, {
      data_source_id: dataSourceId,
      query: {
        aggregate: [
          {
            group: {
              keys: [{ key: 'billed_month', name: 'billed_month' }],
              fields: [
                { name: 'rows', operator: 'count' },
                { key: 'cost', name: 'cost', operator: 'sum' },
              ],
            },
          },
          { sort: { key: 'billed_month' } },
        ],
      },
    }),
};
