import type {
  AccountInfo,
  CostInfo,
  GetLinkedAccountsRequest,
  GetDataRequest,
  GetTasksRequest,
  InitRequest,
  PluginClient,
  Struct,
  TasksInfo,
  VerifyRequest,
} from '../plugins/plugin.js';

/**
 * What a plugin author writes: the calls of the SpaceONE cost-datasource protocol, with the
 * protocol's snake_case fields (see docs/sdk.md).
 *
 * - `init(request)`        → `{ metadata }`, stored with the data source (default: USD, no rules)
 * - `verify(request)`      → resolves if options and secret data work (default: accepts all)
 * - `getTasks(request)`    → `{ tasks: [{ task_options, task_changed? }], changed?, synced_accounts? }`
 * - `getData(request, signal)` → an async generator of pages (arrays of cost rows); stop when
 *   `signal` aborts (the caller cancelled or went away)
 *
 * Throw `PluginError(code, message, transient)` to report an error: the caller sees
 * `code` and `message`; transient errors are retried by costsync.
 */
export interface CostDataSourcePlugin {
  init?(request: InitRequest, signal?: AbortSignal): Promise<{ metadata: Struct }>;
  verify?(request: VerifyRequest, signal?: AbortSignal): Promise<void>;
  getTasks(request: GetTasksRequest, signal?: AbortSignal): Promise<TasksInfo>;
  getData(request: GetDataRequest, signal: AbortSignal): AsyncIterable<CostInfo[]>;
  /** Optional: the accounts the credentials reach, for plugins whose metadata sets `use_account_routing`. */
  getLinkedAccounts?(request: GetLinkedAccountsRequest, signal?: AbortSignal): Promise<{ results: AccountInfo[] }>;
}

/** Metadata keys the upstream service reads from init (spec §1.7), with neutral defaults. */
export const DEFAULT_METADATA: Struct = {
  data_source_rules: [],
  supported_secret_types: ['MANUAL'],
  currency: 'USD',
  use_account_routing: false,
};

/** A complete PluginClient from a definition: the in-process form, also what the server serves. */
export function definePlugin(plugin: CostDataSourcePlugin): PluginClient {
  if (typeof plugin?.getTasks !== 'function' || typeof plugin?.getData !== 'function') {
    throw new TypeError('a cost data-source plugin needs getTasks(request) and getData(request, signal)');
  }
  return {
    init: plugin.init ? (request, signal) => plugin.init!(request, signal) : async () => ({ metadata: { ...DEFAULT_METADATA } }),
    verify: plugin.verify ? (request, signal) => plugin.verify!(request, signal) : async () => {},
    getTasks: (request, signal) => plugin.getTasks(request, signal),
    getData: (request, signal) => plugin.getData(request, signal),
    ...(plugin.getLinkedAccounts ? { getLinkedAccounts: (request, signal) => plugin.getLinkedAccounts!(request, signal) } : {}),
  };
}
