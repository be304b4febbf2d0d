import { DOMAIN_WORKSPACE } from '../domain/status.js';
import { err } from '../domain/errors.js';
import type { CostInfo, GetDataRequest, PluginClient, Struct } from '../plugins/plugin.js';
import type { PluginResolver } from '../plugins/registry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Queryable } from '../store/database.js';
import type { DataSourceRow, JobPlugin, JobTaskRow } from '../store/rows.js';
import { rowRouter } from './account-routing.js';
import type { TaskStamp } from './cost-rows.js';

/** A task's plugin stream, ready to start, and the columns its rows share. */
export interface TaskPlugin {
  getData(signal: AbortSignal): AsyncIterable<CostInfo[]>;
  stamp: TaskStamp;
}

/**
 * The options every plugin call gets: the stored `plugin_info.options` plus `secret_type`,
 * as the upstream service sends them (spec §1.5).
 */
export function pluginOptions(dataSource: DataSourceRow): Struct {
  return { ...(dataSource.plugin_info?.options ?? {}), secret_type: dataSource.secret_type ?? 'MANUAL' };
}

export function openSecret(dataSource: DataSourceRow, secrets: SecretBox): Struct {
  return dataSource.secret_data_encrypted ? secrets.open(dataSource.secret_data_encrypted) : {};
}

export function pluginOf(dataSource: DataSourceRow, plugins: PluginResolver): PluginClient {
  const pluginId = dataSource.plugin_info?.plugin_id;
  if (!pluginId) throw err.required('plugin_info.plugin_id');
  return plugins.resolve(pluginId);
}

/**
 * A task's data source and the plugin its job was planned with. The secret is the data
 * source's current one (a credential rotated during a sync is used from the next attempt on);
 * the plugin and its options are the job's, so an update-plugin during the sync changes
 * nothing of it.
 */
const TASK_SOURCE = `
  SELECT d.*, j.plugin_info AS job_plugin
    FROM job j JOIN data_source d ON d.data_source_id = j.data_source_id
   WHERE j.job_id = $1`;

export function makeTaskPluginPreparer(db: Queryable, plugins: PluginResolver, secrets: SecretBox) {
  return async (task: JobTaskRow): Promise<TaskPlugin> => {
    const [dataSource] = await db.query<DataSourceRow & { job_plugin: JobPlugin | null }>(TASK_SOURCE, [task.job_id]);
    if (!dataSource) throw err.notFound('data_source_id', task.data_source_id);
    const planned = dataSource.job_plugin;
    const plugin = planned ? plugins.resolve(planned.plugin_id) : pluginOf(dataSource, plugins);
    const request: GetDataRequest = {
      options: planned ? planned.options : pluginOptions(dataSource),
      secret_data: openSecret(dataSource, secrets),
      task_options: task.options,
      domain_id: task.domain_id,
    };
    return {
      getData: (signal) => plugin.getData(request, signal),
      stamp: {
        dataSourceId: task.data_source_id,
        jobId: task.job_id,
        jobTaskId: task.job_task_id,
        workspaceId: task.workspace_id === DOMAIN_WORKSPACE ? null : task.workspace_id,
        domainId: task.domain_id,
        ...(planned?.routing ? { router: rowRouter(planned.routing) } : {}),
      },
    };
  };
}
