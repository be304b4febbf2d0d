import { err } from '../../domain/errors.js';
import { DATA_SOURCE_TYPE, RESOURCE_GROUP, SCHEDULE_STATE, SECRET_TYPE } from '../../domain/status.js';
import type { DataSourceType, ResourceGroup, ScheduleState, SecretType } from '../../domain/status.js';
import { readEnum, readInteger, readObject, readString, readStringList, requireString, type Json } from '../../query/input.js';

/** DataSource request bodies (spec §2.4), checked field by field with the position of each error. */

export interface Schedule {
  readonly state: ScheduleState;
  readonly hour: number;
}

/** The upstream default sync hour (DATA_SOURCE_SYNC_HOUR, UTC). */
export const DEFAULT_SCHEDULE: Schedule = { state: SCHEDULE_STATE.ENABLED, hour: 16 };
const UPGRADE_MODES = ['AUTO', 'MANUAL'] as const;
export type UpgradeMode = (typeof UPGRADE_MODES)[number];

export interface PluginInfoRequest {
  readonly pluginId: string;
  readonly version?: string;
  readonly options: Json;
  readonly secretData?: Json;
  readonly schemaId?: string;
  readonly upgradeMode: UpgradeMode;
}

export interface RegisterRequest {
  readonly name: string;
  readonly dataSourceType: DataSourceType;
  readonly provider?: string;
  readonly secretType: SecretType;
  readonly secretFilter?: Json;
  readonly template?: Json;
  readonly pluginInfo?: PluginInfoRequest;
  readonly schedule: Schedule;
  readonly tags: Json;
  /** Months of rows kept; undefined: the server's default. */
  readonly retentionMonths?: number;
  readonly resourceGroup?: ResourceGroup;
  readonly workspaceId?: string;
}

const MAX_NAME = 255;

export function readName(request: Json): string {
  const name = requireString(request, 'name').trim();
  if (name.length > MAX_NAME) throw err.invalid('name', `at most ${MAX_NAME} characters`);
  return name;
}

/**
 * `retention_months`: how many months of cost rows the data source keeps (0: all; at most
 * 1200); absent or null: the server's COSTSYNC_RETENTION_MONTHS.
 */
export function readRetentionMonths(request: Json): number | undefined {
  return readInteger(request, 'retention_months', '', 0, 1200);
}

export function parseRegister(request: Json): RegisterRequest {
  const dataSourceType = readEnum(request, 'data_source_type', Object.values(DATA_SOURCE_TYPE)) ?? DATA_SOURCE_TYPE.EXTERNAL;
  const secretType = readEnum(request, 'secret_type', Object.values(SECRET_TYPE)) ?? SECRET_TYPE.MANUAL;
  const provider = readString(request, 'provider');
  if (secretType === SECRET_TYPE.USE_SERVICE_ACCOUNT_SECRET && provider === undefined) throw err.required('provider');
  const pluginInfo = readObject(request, 'plugin_info');
  if (dataSourceType === DATA_SOURCE_TYPE.EXTERNAL && !pluginInfo) throw err.required('plugin_info.plugin_id');
  return {
    name: readName(request),
    dataSourceType,
    provider,
    secretType,
    secretFilter: parseSecretFilter(request),
    template: readObject(request, 'template'),
    pluginInfo: pluginInfo ? parsePluginInfo(pluginInfo) : undefined,
    schedule: parseSchedule(request, DEFAULT_SCHEDULE),
    tags: readObject(request, 'tags') ?? {},
    retentionMonths: readRetentionMonths(request),
    resourceGroup: readEnum(request, 'resource_group', Object.values(RESOURCE_GROUP)),
    workspaceId: readString(request, 'workspace_id'),
  };
}

function parsePluginInfo(input: Json): PluginInfoRequest {
  const where = 'plugin_info';
  const upgradeMode = readEnum(input, 'upgrade_mode', UPGRADE_MODES, where) ?? 'AUTO';
  const version = readString(input, 'version', where);
  if (upgradeMode === 'MANUAL' && version === undefined) throw err.required('plugin_info.version');
  return {
    pluginId: requireString(input, 'plugin_id', where),
    version,
    options: readObject(input, 'options', where) ?? {},
    secretData: readObject(input, 'secret_data', where),
    schemaId: readString(input, 'schema_id', where),
    upgradeMode,
  };
}

/**
 * `schedule {state, hour}` merged over `current`. Hour 0 (midnight UTC) is a valid hour here
 * (the upstream cannot express it, spec §9 item 22); outside 0–23 is ERROR_INVALID_PARAMETER.
 */
export function parseSchedule(request: Json, current: Schedule): Schedule {
  const schedule = readObject(request, 'schedule');
  if (!schedule) return current;
  return {
    state: readEnum(schedule, 'state', Object.values(SCHEDULE_STATE), 'schedule') ?? current.state,
    hour: readInteger(schedule, 'hour', 'schedule', 0, 23) ?? current.hour,
  };
}

/** `secret_filter {state, secrets, service_accounts, schemas}`; only USE_SERVICE_ACCOUNT_SECRET sources take one. */
export function parseSecretFilter(request: Json): Json | undefined {
  const filter = readObject(request, 'secret_filter');
  if (!filter) return undefined;
  const where = 'secret_filter';
  const lists = Object.fromEntries(
    ['secrets', 'service_accounts', 'schemas'].map((key) => [key, readStringList(filter, key, where) ?? []]),
  );
  return { state: readEnum(filter, 'state', Object.values(SCHEDULE_STATE), where) ?? SCHEDULE_STATE.ENABLED, ...lists };
}

export interface UpdatePluginRequest {
  readonly version?: string;
  readonly options?: Json;
  readonly upgradeMode?: UpgradeMode;
}

export function parseUpdatePlugin(request: Json): UpdatePluginRequest {
  return {
    version: readString(request, 'version'),
    options: readObject(request, 'options'),
    upgradeMode: readEnum(request, 'upgrade_mode', UPGRADE_MODES),
  };
}

export function requireSecretData(request: Json): Json {
  const secretData = readObject(request, 'secret_data');
  if (!secretData) throw err.required('secret_data');
  return secretData;
}
