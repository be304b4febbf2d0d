import { currentToken } from './session.js';

/** An API error: HTTP status, `ERROR_*` code and the server's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Called when the server refuses the token (401): the page signs out. */
let onUnauthenticated = () => {};
export const whenUnauthenticated = (handler) => { onUnauthenticated = handler; };

/** `POST <path>` with a JSON body and the session's bearer token; resolves with the JSON answer. */
export async function call(path, body = {}, token = currentToken()) {
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
  const payload = await response.json().catch(() => ({}));
  if (!response.ok) {
    const detail = payload.detail ?? {};
    const error = new ApiError(response.status, detail.code ?? `HTTP_${response.status}`, detail.message ?? response.statusText);
    if (response.status === 401 && token === currentToken()) onUnauthenticated(error);
    throw error;
  }
  return payload;
}

const V1 = '/cost-analysis/v1';

export const api = {
  jobs: (request) => call(`${V1}/job/list`, request),
  job: (jobId) => call(`${V1}/job/get`, { job_id: jobId }),
  cancelJob: (jobId) => call(`${V1}/job/cancel`, { job_id: jobId }),
  tasks: (jobId) => call(`${V1}/job-task/list`, { job_id: jobId, query: { sort: [{ key: 'created_at' }], page: { limit: 10000 } } }),
  /** Rows written so far per job: `{job_id → rows}`. */
  async rowsByJob(jobIds) {
    if (jobIds.length === 0) return {};
    const answer = await call(`${V1}/job-task/stat`, {
      query: {
        filter: [{ k: 'job_id', v: jobIds, o: 'in' }],
        aggregate: [{ group: { keys: [{ key: 'job_id', name: 'job_id' }], fields: [{ key: 'created_count', name: 'rows', operator: 'sum' }] } }],
      },
    });
    return Object.fromEntries(answer.results.map((r) => [r.job_id, r.rows ?? 0]));
  },
  dataSources: () => call(`${V1}/data-source/list`, { query: { sort: [{ key: 'name' }] } }),
  sync: (dataSourceId) => call(`${V1}/data-source/sync`, { data_source_id: dataSourceId }),
  /** Published rows and cost per month of a data source, oldest first: `[{billed_month, rows, cost}]`. */
  costMonths: (dataSourceId) =>
    call(`${V1}/cost/stat`, {
      data_source_id: dataSourceId,
      query: {
        aggregate: [
          {
            group: {
              keys: [{ key: 'billed_month', name: 'billed_month' }],
              fields: [{ name: 'rows', operator: 'count' }, { key: 'cost', name: 'cost', operator: 'sum' }],
            },
          },
          { sort: { key: 'billed_month' } },
        ],
      },
    }),
};
