/**
 * What the engine needs from a data-source plugin: the four calls of the SpaceONE plugin
 * protocol (spec §1), with the protocol's own snake_case field names. Built-in plugins run
 * in-process; a gRPC client implements the same interface for remote plugins.
 */

export type Struct = Record<string, unknown>;

export interface InitRequest {
  options: Struct;
  domain_id: string;
}

export interface VerifyRequest {
  options: Struct;
  secret_data: Struct;
  schema?: string;
  domain_id: string;
}

export interface GetLinkedAccountsRequest {
  options: Struct;
  secret_data: Struct;
  schema?: string;
  domain_id: string;
}

/** An account the plugin's credentials reach (`Cost.get_linked_accounts`, for account routing). */
export interface AccountInfo {
  account_id: string;
  name?: string;
}

/** One entry of `linked_accounts` in get_tasks: a DataSourceAccount as upstream sends it (spec §1.5). */
export interface LinkedAccount {
  data_source_id: string;
  account_id: string;
  name: string;
  is_sync: boolean;
  v_workspace_id?: string;
}

export interface GetTasksRequest {
  options: Struct;
  secret_data: Struct;
  schema?: string;
  /** With account routing: the data source's accounts. */
  linked_accounts?: LinkedAccount[];
  /** Free-form, from `DataSource.sync(start)`; plugins expect `YYYY-MM`. */
  start?: string;
  /** `YYYY-MM-DDTHH:MM:SS.mmmZ`; absent on the first sync. */
  last_synchronized_at?: string;
  domain_id: string;
}

export interface ChangedInfo {
  start: string;
  end?: string;
  filter?: Struct;
}

export interface TaskInfo {
  task_options: Struct;
  task_changed?: ChangedInfo;
}

export interface TasksInfo {
  tasks: TaskInfo[];
  changed?: ChangedInfo[];
  synced_accounts?: { account_id: string; name?: string }[];
}

export interface GetDataRequest {
  options: Struct;
  secret_data: Struct;
  schema?: string;
  task_options: Struct;
  domain_id: string;
}

/** One cost row as a plugin sends it (spec §1.2 CostInfo). */
export interface CostInfo {
  cost?: number;
  usage_quantity?: number;
  usage_unit?: string;
  provider?: string;
  region_code?: string;
  product?: string;
  usage_type?: string;
  resource?: string;
  tags?: Struct;
  additional_info?: Struct;
  data?: Struct;
  billed_date?: string;
}

/** `cost` / `usage_quantity` as plugins send them: a number, or a numeric string (CSV-based plugins); NaN otherwise. */
export function costNumber(value: unknown): number {
  return typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
}

export interface PluginClient {
  init(request: InitRequest, signal?: AbortSignal): Promise<{ metadata: Struct }>;
  verify(request: VerifyRequest, signal?: AbortSignal): Promise<void>;
  getTasks(request: GetTasksRequest, signal?: AbortSignal): Promise<TasksInfo>;
  /** For account routing (metadata `use_account_routing`); plugins without it do not route. */
  getLinkedAccounts?(request: GetLinkedAccountsRequest, signal?: AbortSignal): Promise<{ results: AccountInfo[] }>;
  /**
   * Pages of rows; stops (and releases the plugin) when `signal` aborts. A page is handed
   * over: the engine empties the array once its rows are encoded, so each page is a new array.
   */
  getData(request: GetDataRequest, signal: AbortSignal): AsyncIterable<CostInfo[]>;
}

/**
 * An error reported by a plugin. `code` is the plugin's `ERROR_*` code; `transient` errors
 * (the plugin or its upstream was unavailable) are retried with backoff, others fail the task.
 */
export class PluginError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'PluginError';
  }
}
