import type { JobStatus, ResourceGroup, TaskStatus } from '../domain/status.js';

/** Rows as the drivers return them (`SELECT *`): snake_case columns, Date timestamps, parsed JSONB. */

export interface ChangedWindow {
  start: string;
  end?: string;
  filter?: Record<string, unknown>;
}

export interface DataSourceRow {
  data_source_id: string;
  name: string;
  data_source_type: 'LOCAL' | 'EXTERNAL';
  provider: string | null;
  secret_type: 'MANUAL' | 'USE_SERVICE_ACCOUNT_SECRET';
  secret_filter: Record<string, unknown> | null;
  permissions: Record<string, unknown> | null;
  /** plugin_id, version, options, metadata, upgrade_mode, schema_id — never secret data. */
  plugin_info: PluginInfoRow | null;
  /** Sealed by the SecretBox; never leaves the server. */
  secret_data_encrypted: string | null;
  template: Record<string, unknown>;
  tags: Record<string, unknown>;
  schedule_state: 'ENABLED' | 'DISABLED';
  schedule_hour: number | null;
  scheduled_slot: Date | null;
  cost_tag_keys: string[];
  cost_additional_info_keys: string[];
  cost_data_keys: string[];
  /** Months of rows kept; null: the server's COSTSYNC_RETENTION_MONTHS; 0: all. */
  retention_months?: number | null;
  /** Account routing: the data source's accounts, and the workspaces they are routed to. */
  data_source_account_count?: number;
  connected_workspace_count?: number;
  resource_group: ResourceGroup;
  workspace_id: string;
  domain_id: string;
  created_at: Date;
  updated_at: Date;
  last_synchronized_at: Date | null;
}

export interface PluginInfoRow {
  plugin_id: string;
  version?: string;
  options: Record<string, unknown>;
  metadata: Record<string, unknown>;
  upgrade_mode?: 'AUTO' | 'MANUAL';
  schema_id?: string;
  secret_id?: string;
}

export interface JobPlugin {
  plugin_id: string;
  options: Record<string, unknown>;
  /** With account routing: how the job's rows are routed, as when it was planned. */
  routing?: AccountRouting;
}

export interface AccountRouting {
  /** Dotted path to a row's account id (metadata `account_match_key`). */
  account_match_key: string;
  /** account id → workspace id, for the mapped accounts only. */
  workspaces: Record<string, string>;
}

export interface JobRow {
  job_id: string;
  status: JobStatus;
  options: { no_preload_cache?: boolean; start?: string | null; sync_mode?: string };
  error_code: string | null;
  error_message: string | null;
  total_tasks: number;
  remained_tasks: number;
  changed: ChangedWindow[];
  synced_accounts: { account_id: string }[];
  /** The plugin and options the job was planned with (null on jobs from before migration 002). */
  plugin_info: JobPlugin | null;
  planned: boolean;
  /** Rows retention removed when the job was published, and the first month it kept (YYYY-MM). */
  retention_deleted_count?: number | null;
  retained_from?: string | null;
  deadline_at: Date;
  resource_group: ResourceGroup;
  workspace_id: string;
  domain_id: string;
  data_source_id: string;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

export interface JobTaskRow {
  job_task_id: string;
  status: TaskStatus;
  options: Record<string, unknown>;
  changed: ChangedWindow | null;
  created_count: number;
  error_code: string | null;
  error_message: string | null;
  seq: number;
  attempt: number;
  retention_deleted_count?: number | null;
  lease_owner: string | null;
  lease_until: Date | null;
  available_at: Date;
  progressed_at: Date | null;
  cost_keys: { tags: string[]; additional_info: string[]; data: string[] } | null;
  resource_group: ResourceGroup;
  workspace_id: string;
  domain_id: string;
  job_id: string;
  data_source_id: string;
  created_at: Date;
  started_at: Date | null;
  updated_at: Date;
  finished_at: Date | null;
}

export interface CostRow {
  cost_id: string;
  cost: number;
  usage_quantity: number;
  usage_unit: string | null;
  provider: string | null;
  region_code: string | null;
  region_key: string | null;
  product: string | null;
  usage_type: string | null;
  resource: string | null;
  tags: Record<string, unknown>;
  additional_info: Record<string, unknown>;
  data: Record<string, unknown>;
  account_id: string | null;
  service_account_id: string | null;
  project_id: string | null;
  data_source_id: string;
  job_id: string;
  job_task_id: string;
  workspace_id: string | null;
  domain_id: string;
  billed_year: string;
  billed_month: string;
  /** `date` column, selected as text `YYYY-MM-DD`. */
  billed_date: string | Date;
}

export interface DataSourceAccountRow {
  data_source_id: string;
  account_id: string;
  name: string;
  is_sync: boolean;
  /** The workspace the account's cost rows are routed to; null keeps them domain-level. */
  workspace_id: string | null;
  domain_id: string;
  created_at: Date;
  updated_at: Date;
}

/**
 * The columns a `cost_monthly` row is grouped by besides its job, data source, domain and month
 * (migration 006): what the engine sums by (engine/rollup.ts) and the queries it answers may name
 * (query/catalogues.ts).
 */
export const COST_MONTHLY_DIMENSIONS = [
  'workspace_id',
  'provider',
  'region_code',
  'region_key',
  'product',
  'usage_type',
  'usage_unit',
  'account_id',
  'service_account_id',
  'project_id',
  'tags',
] as const;
