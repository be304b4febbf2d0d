import type { Principal } from '../auth/principal.js';
import { ROLE } from '../domain/status.js';
import { formatTimestamp } from '../domain/time.js';
import type { CostRow, DataSourceAccountRow, DataSourceRow, JobRow, JobTaskRow } from '../store/rows.js';

/**
 * Wire views: stored rows → the JSON the API returns (spec §2), snake_case, timestamps
 * `YYYY-MM-DDTHH:MM:SS.mmmZ`. Null values are omitted (as proto3 JSON omits unset fields),
 * numbers are always present, also when 0. Each view names its fields explicitly, so a new
 * column (like the sealed secret) never leaks into a response by accident.
 */
export type Wire = Record<string, unknown>;

function compact(fields: Wire): Wire {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null && value !== undefined));
}

const pick = (info: Wire, keys: readonly string[]): Wire =>
  Object.fromEntries(keys.filter((key) => key in info).map((key) => [key, info[key]]));

export function jobInfo(row: JobRow): Wire {
  return compact({
    job_id: row.job_id,
    status: row.status,
    options: row.options,
    error_code: row.error_code,
    error_message: row.error_message,
    total_tasks: row.total_tasks ?? 0,
    remained_tasks: row.remained_tasks ?? 0,
    changed: row.changed,
    synced_accounts: row.synced_accounts,
    retention_deleted_count: row.retention_deleted_count || null,
    retained_from: row.retained_from,
    resource_group: row.resource_group,
    domain_id: row.domain_id,
    workspace_id: row.workspace_id,
    data_source_id: row.data_source_id,
    created_at: formatTimestamp(row.created_at),
    updated_at: formatTimestamp(row.updated_at),
    finished_at: formatTimestamp(row.finished_at),
  });
}

const JOB_MINIMAL = ['job_id', 'status', 'total_tasks', 'remained_tasks', 'data_source_id', 'workspace_id'];
export const jobMinimal = (row: JobRow): Wire => pick(jobInfo(row), JOB_MINIMAL);

/**
 * `changed` is returned (the upstream drops it); `attempt` is extra: how often the task was
 * tried; `retention_deleted_count`: how many of its rows retention removed at publish (absent
 * when none, so answers keep upstream's shape).
 */
export function jobTaskInfo(row: JobTaskRow): Wire {
  return compact({
    job_task_id: row.job_task_id,
    status: row.status,
    options: row.options,
    changed: row.changed,
    created_count: row.created_count ?? 0,
    attempt: row.attempt ?? 0,
    retention_deleted_count: row.retention_deleted_count || null,
    error_code: row.error_code,
    error_message: row.error_message,
    resource_group: row.resource_group,
    domain_id: row.domain_id,
    workspace_id: row.workspace_id,
    job_id: row.job_id,
    data_source_id: row.data_source_id,
    created_at: formatTimestamp(row.created_at),
    started_at: formatTimestamp(row.started_at),
    updated_at: formatTimestamp(row.updated_at),
    finished_at: formatTimestamp(row.finished_at),
  });
}

const JOB_TASK_MINIMAL = ['job_task_id', 'status', 'created_count', 'job_id', 'data_source_id', 'workspace_id'];
export const jobTaskMinimal = (row: JobTaskRow): Wire => pick(jobTaskInfo(row), JOB_TASK_MINIMAL);

/** Never the secret: plugin_info is rebuilt from its public fields only. */
function pluginInfo(row: DataSourceRow): Wire | undefined {
  const info = row.plugin_info;
  if (!info) return undefined;
  return compact({
    plugin_id: info.plugin_id,
    version: info.version,
    options: info.options ?? {},
    metadata: info.metadata ?? {},
    schema_id: info.schema_id,
    upgrade_mode: info.upgrade_mode,
  });
}

/** Keys of `data` denied by `permissions.deny` (`data.<key>`) are hidden from all but DOMAIN_ADMIN. */
function visibleDataKeys(row: DataSourceRow, principal: Principal): string[] {
  const deny = row.permissions?.deny;
  if (principal.role === ROLE.DOMAIN_ADMIN || !Array.isArray(deny)) return row.cost_data_keys;
  return row.cost_data_keys.filter((key) => !deny.includes(`data.${key}`));
}

export function dataSourceInfo(row: DataSourceRow, principal: Principal): Wire {
  return compact({
    data_source_id: row.data_source_id,
    name: row.name,
    data_source_type: row.data_source_type,
    permissions: row.permissions,
    provider: row.provider,
    secret_type: row.secret_type,
    secret_filter: row.secret_filter,
    plugin_info: pluginInfo(row),
    schedule: compact({ state: row.schedule_state, hour: row.schedule_hour }),
    template: row.template,
    tags: row.tags,
    cost_tag_keys: row.cost_tag_keys,
    cost_additional_info_keys: row.cost_additional_info_keys,
    cost_data_keys: visibleDataKeys(row, principal),
    retention_months: row.retention_months,
    data_source_account_count: row.data_source_account_count ?? 0,
    connected_workspace_count: row.connected_workspace_count ?? 0,
    resource_group: row.resource_group,
    domain_id: row.domain_id,
    workspace_id: row.workspace_id,
    created_at: formatTimestamp(row.created_at),
    updated_at: formatTimestamp(row.updated_at),
    last_synchronized_at: formatTimestamp(row.last_synchronized_at),
  });
}

const DATA_SOURCE_MINIMAL = ['data_source_id', 'workspace_id', 'name', 'data_source_type', 'secret_type', 'provider', 'schedule'];
export const dataSourceMinimal = (row: DataSourceRow, principal: Principal): Wire =>
  pick(dataSourceInfo(row, principal), DATA_SOURCE_MINIMAL);

/** An account of account routing; `workspace_id` (where its rows are routed) is omitted while unmapped. */
export function dataSourceAccountInfo(row: DataSourceAccountRow): Wire {
  return compact({
    data_source_id: row.data_source_id,
    account_id: row.account_id,
    name: row.name,
    is_sync: row.is_sync,
    workspace_id: row.workspace_id,
    domain_id: row.domain_id,
    created_at: formatTimestamp(row.created_at),
    updated_at: formatTimestamp(row.updated_at),
  });
}

const DATA_SOURCE_ACCOUNT_MINIMAL = ['data_source_id', 'account_id', 'name', 'is_sync', 'workspace_id'];
export const dataSourceAccountMinimal = (row: DataSourceAccountRow): Wire => pick(dataSourceAccountInfo(row), DATA_SOURCE_ACCOUNT_MINIMAL);

/** `job_id` and `job_task_id` are stored with every row but never returned (as upstream). */
export function costInfo(row: CostRow): Wire {
  return compact({
    cost_id: row.cost_id,
    cost: row.cost ?? 0,
    usage_quantity: row.usage_quantity ?? 0,
    usage_unit: row.usage_unit,
    provider: row.provider,
    region_code: row.region_code,
    region_key: row.region_key,
    product: row.product,
    usage_type: row.usage_type,
    resource: row.resource,
    tags: row.tags,
    additional_info: row.additional_info,
    data: row.data,
    domain_id: row.domain_id,
    workspace_id: row.workspace_id,
    project_id: row.project_id,
    service_account_id: row.service_account_id,
    data_source_id: row.data_source_id,
    account_id: row.account_id,
    billed_year: row.billed_year,
    billed_month: row.billed_month,
    billed_date: typeof row.billed_date === 'string' ? row.billed_date : row.billed_date.toISOString().slice(0, 10),
  });
}

/** The upstream defines no minimal Cost view; this one keeps what identifies and sizes a row. */
const COST_MINIMAL = ['cost_id', 'cost', 'provider', 'product', 'usage_type', 'data_source_id', 'workspace_id', 'billed_date'];
export const costMinimal = (row: CostRow): Wire => pick(costInfo(row), COST_MINIMAL);
