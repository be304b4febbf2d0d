import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { assertCanWrite, assertWriter, workspaceForNew } from '../../auth/scope.js';
import { err, isCostsyncError } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';
import { DATA_SOURCE_TYPE, RESOURCE_GROUP, ROLE, SECRET_TYPE, SYNC_MODE } from '../../domain/status.js';
import type { PluginClient } from '../../plugins/plugin.js';
import { DATA_SOURCE_CATALOGUE } from '../../query/catalogues.js';
import { readBoolean, readObject, readString, requireString, type Json } from '../../query/input.js';
import { parseListQuery } from '../../query/parse-query.js';
import { parseStatQuery } from '../../query/parse-stat.js';
import { upsertAccounts } from '../../store/data-source-accounts.js';
import { deleteDataSource, insertDataSource, runningJobId, updateDataSource, type DataSourcePatch } from '../../store/data-sources.js';
import type { DataSourceRow, PluginInfoRow } from '../../store/rows.js';
import { dataSourceInfo, dataSourceMinimal, jobInfo, type Wire } from '../views.js';
import {
  parseRegister,
  parseSchedule,
  readRetentionMonths,
  parseSecretFilter,
  parseUpdatePlugin,
  readName,
  requireSecretData,
} from './data-source-requests.js';
import { initPlugin, linkedAccounts, verifyPlugin } from './plugin-calls.js';
import { findVisible, projectGet, runList, runStat } from './reading.js';
import { listConditions, requestedWorkspace } from './request-filters.js';

/**
 * DataSource (spec §2.4). Secret data is sealed by `ctx.secrets` into
 * `secret_data_encrypted` as soon as it arrives and is only opened to call the plugin; it is
 * never part of a response or a log line.
 */

/** A data source the caller may change: visible (else NOT_FOUND), then writable (else PERMISSION_DENIED). */
async function writable(ctx: AppContext, principal: Principal, request: Json): Promise<DataSourceRow> {
  assertWriter(principal);
  const row = await findVisible<DataSourceRow>(ctx.db, DATA_SOURCE_CATALOGUE, requireString(request, 'data_source_id'), principal);
  assertCanWrite(principal, row);
  return row;
}

/** Plugin settings exist only for EXTERNAL data sources. */
function externalPlugin(ctx: AppContext, row: DataSourceRow): { info: PluginInfoRow; plugin: PluginClient } {
  if (row.data_source_type === DATA_SOURCE_TYPE.LOCAL || !row.plugin_info) throw err.notAllowPluginSettings(row.data_source_id);
  return { info: row.plugin_info, plugin: ctx.plugins.resolve(row.plugin_info.plugin_id) };
}

async function register(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  assertWriter(principal);
  const input = parseRegister(request);
  // Without resource_group: a DOMAIN_ADMIN naming no workspace registers a DOMAIN source, anyone else a WORKSPACE one.
  const resourceGroup =
    input.resourceGroup ??
    (principal.role === ROLE.DOMAIN_ADMIN && input.workspaceId === undefined ? RESOURCE_GROUP.DOMAIN : RESOURCE_GROUP.WORKSPACE);
  const workspaceId = workspaceForNew(principal, resourceGroup, input.workspaceId);
  if (input.secretFilter && input.secretType !== SECRET_TYPE.USE_SERVICE_ACCOUNT_SECRET) {
    throw err.invalid('secret_filter', 'only USE_SERVICE_ACCOUNT_SECRET data sources take a secret filter');
  }
  const local = input.dataSourceType === DATA_SOURCE_TYPE.LOCAL;
  if (local && input.pluginInfo) throw err.invalid('plugin_info', 'LOCAL data sources have no plugin');
  if (!local && input.template) throw err.invalid('template', 'only LOCAL data sources take a template');

  let pluginInfo: PluginInfoRow | null = null;
  let accounts: { account_id: string; name?: string }[] = [];
  if (input.pluginInfo) {
    const { pluginId, options, secretData, schemaId } = input.pluginInfo;
    const plugin = ctx.plugins.resolve(pluginId);
    const metadata = await initPlugin(ctx, plugin, options, principal.domainId);
    if (secretData) await verifyPlugin(ctx, plugin, { options, secretData, domainId: principal.domainId });
    if (metadata.use_account_routing === true) {
      accounts = await linkedAccounts(ctx, plugin, { options, secretData: secretData ?? {}, domainId: principal.domainId });
    }
    pluginInfo = {
      plugin_id: pluginId,
      ...(input.pluginInfo.version ? { version: input.pluginInfo.version } : {}),
      options,
      metadata,
      upgrade_mode: input.pluginInfo.upgradeMode,
      ...(schemaId ? { schema_id: schemaId } : {}),
    };
  }
  const row = await insertDataSource(ctx.db, {
    data_source_id: newId('dataSource'),
    name: input.name,
    data_source_type: input.dataSourceType,
    provider: input.provider ?? null,
    secret_type: input.secretType,
    secret_filter: input.secretFilter ?? null,
    plugin_info: pluginInfo,
    secret_data_encrypted: local ? null : ctx.secrets.seal(input.pluginInfo?.secretData ?? {}),
    template: input.template ?? {},
    tags: input.tags,
    schedule_state: input.schedule.state,
    schedule_hour: input.schedule.hour,
    retention_months: input.retentionMonths ?? null,
    resource_group: resourceGroup,
    workspace_id: workspaceId,
    domain_id: principal.domainId,
  });
  await upsertAccounts(ctx.db, row, accounts);
  return dataSourceInfo(row, principal);
}

async function update(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const patch: DataSourcePatch = {};
  if (readString(request, 'name') !== undefined) patch.name = readName(request);
  const secretFilter = parseSecretFilter(request);
  if (secretFilter) {
    if (row.secret_type !== SECRET_TYPE.USE_SERVICE_ACCOUNT_SECRET) throw err.notAllowSecretFilter(row.data_source_id);
    patch.secret_filter = secretFilter;
  }
  const template = readObject(request, 'template');
  if (template) {
    if (row.data_source_type !== DATA_SOURCE_TYPE.LOCAL) throw err.invalid('template', 'only LOCAL data sources take a template');
    patch.template = template;
  }
  if (request.schedule !== undefined) {
    const schedule = parseSchedule(request, { state: row.schedule_state, hour: row.schedule_hour ?? 16 });
    patch.schedule_state = schedule.state;
    patch.schedule_hour = schedule.hour;
  }
  const tags = readObject(request, 'tags');
  if (tags) patch.tags = tags;
  // null (REST) puts the data source back on the server's default; absent leaves it as it is.
  if (request.retention_months === null) patch.retention_months = null;
  const retentionMonths = readRetentionMonths(request);
  if (retentionMonths !== undefined) patch.retention_months = retentionMonths;
  return dataSourceInfo(await updateDataSource(ctx.db, row.data_source_id, patch), principal);
}

/** `permissions {"deny": ["data.<key>", …]}` hides cost data keys from workspace roles; DOMAIN_ADMIN only. */
async function updatePermissions(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  if (principal.role !== ROLE.DOMAIN_ADMIN) throw err.permission('only DOMAIN_ADMIN changes permissions');
  const row = await writable(ctx, principal, request);
  const permissions = readObject(request, 'permissions');
  if (!permissions) throw err.required('permissions');
  return dataSourceInfo(await updateDataSource(ctx.db, row.data_source_id, { permissions }), principal);
}

/** New options are merged over the stored ones, and the plugin is initialised again with them. */
async function updatePlugin(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const { info, plugin } = externalPlugin(ctx, row);
  const input = parseUpdatePlugin(request);
  const options = { ...info.options, ...input.options };
  const upgradeMode = input.upgradeMode ?? info.upgrade_mode ?? 'AUTO';
  const version = input.version ?? info.version;
  if (upgradeMode === 'MANUAL' && !version) throw err.required('version');
  const metadata = await initPlugin(ctx, plugin, options, row.domain_id);
  const pluginInfo: PluginInfoRow = { ...info, options, metadata, upgrade_mode: upgradeMode, ...(version ? { version } : {}) };
  return dataSourceInfo(await updateDataSource(ctx.db, row.data_source_id, { plugin_info: pluginInfo }), principal);
}

/** The new secret is verified with the plugin before it replaces the old one. */
async function updateSecretData(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const { info, plugin } = externalPlugin(ctx, row);
  const secretData = requireSecretData(request);
  const schemaId = readString(request, 'secret_schema_id') ?? info.schema_id;
  await verifyPlugin(ctx, plugin, { options: info.options, secretData, domainId: row.domain_id });
  const patch: DataSourcePatch = {
    secret_data_encrypted: ctx.secrets.seal(secretData),
    plugin_info: { ...info, ...(schemaId ? { schema_id: schemaId } : {}) },
  };
  return dataSourceInfo(await updateDataSource(ctx.db, row.data_source_id, patch), principal);
}

async function verify(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const { info, plugin } = externalPlugin(ctx, row);
  const secretData = row.secret_data_encrypted ? ctx.secrets.open(row.secret_data_encrypted) : {};
  await verifyPlugin(ctx, plugin, { options: info.options, secretData, domainId: row.domain_id });
  return {};
}

/**
 * `cascade_delete_cost` defaults to true and, unlike over upstream proto3, `false` is honoured.
 * A running job is cancelled first (which also removes its unpublished rows).
 */
async function deregister(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const deleteCosts = readBoolean(request, 'cascade_delete_cost') ?? true;
  const running = await runningJobId(ctx.db, row.data_source_id);
  if (running) await ctx.engine.cancel(running).catch(ignoreEndedJob);
  await ctx.db.transaction((tx) => deleteDataSource(tx, row.data_source_id, deleteCosts));
  return {};
}

/** The job may end by itself between the lookup and the cancel; that is fine here. */
function ignoreEndedJob(error: unknown): void {
  if (!(isCostsyncError(error) && error.code === 'ERROR_JOB_STATE')) throw error;
}

async function sync(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await writable(ctx, principal, request);
  const job = await ctx.engine.sync(row, {
    start: readString(request, 'start'),
    noPreloadCache: readBoolean(request, 'no_preload_cache') ?? false,
    syncMode: SYNC_MODE.MANUAL,
  });
  return jobInfo(job);
}

/**
 * remove_cache and preload_cache: upstream keeps a cache of cost queries per data source;
 * costsync answers every query from the published rows, so there is nothing to remove or to
 * warm. Both check what upstream checks (the data source exists and the caller may change it).
 */
async function cacheNoop(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  await writable(ctx, principal, request);
  return {};
}

async function get(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  const row = await findVisible<DataSourceRow>(ctx.db, DATA_SOURCE_CATALOGUE, requireString(request, 'data_source_id'), principal);
  return projectGet(DATA_SOURCE_CATALOGUE, dataSourceInfo(row, principal), request);
}

async function list(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runList<DataSourceRow>(ctx.db, DATA_SOURCE_CATALOGUE, {
    principal,
    query: parseListQuery(request.query),
    conditions: listConditions(request, ['data_source_id', 'name', 'data_source_type', 'provider'], {
      data_source_type: Object.values(DATA_SOURCE_TYPE),
    }),
    workspaceId: requestedWorkspace(request),
    view: (row) => dataSourceInfo(row, principal),
    minimalView: (row) => dataSourceMinimal(row, principal),
  });
}

async function stat(ctx: AppContext, principal: Principal, request: Json): Promise<Wire> {
  return runStat(ctx.db, DATA_SOURCE_CATALOGUE, {
    principal,
    query: parseStatQuery(request.query),
    workspaceId: requestedWorkspace(request),
  });
}

export const dataSourceService = {
  register,
  update,
  update_permissions: updatePermissions,
  update_plugin: updatePlugin,
  update_secret_data: updateSecretData,
  verify_plugin: verify,
  deregister,
  sync,
  remove_cache: cacheNoop,
  preload_cache: cacheNoop,
  get,
  list,
  stat,
};
