import type { DataSourceWire } from '../api-answers.js';
import type { Remote } from '../remote.js';
import { differences, MANAGED_TAG, SECRET_TAG, secretFingerprint } from './plan.js';
import type { DesiredSource } from './source-file.js';

/**
 * The API calls that make a data source what its declaration says: register; or, for one that
 * exists, update_plugin (the options, a removed option written as null, since the server merges
 * options), update_secret_data (verified by the plugin before it replaces the old secret), then
 * update (schedule, retention, and the tags that mark it managed and fingerprint its secret).
 */
/** `managed`: apply made it, and deletes it once no file declares it. */
export interface Marks {
  readonly managed: boolean;
}

export async function createSource(remote: Remote, desired: DesiredSource, marks: Marks): Promise<DataSourceWire> {
  return remote.call<DataSourceWire>('/cost-analysis/v1/data-source/register', {
    name: desired.name,
    data_source_type: 'EXTERNAL',
    resource_group: desired.workspaceId ? 'WORKSPACE' : 'DOMAIN',
    ...(desired.workspaceId ? { workspace_id: desired.workspaceId } : {}),
    plugin_info: { plugin_id: desired.plugin, options: desired.options, ...(desired.secret ? { secret_data: desired.secret } : {}) },
    schedule: desired.schedule,
    ...(desired.retentionMonths !== undefined ? { retention_months: desired.retentionMonths } : {}),
    tags: tagsFor(desired, {}, marks),
  });
}

export async function updateSource(remote: Remote, desired: DesiredSource, current: DataSourceWire, marks: Marks): Promise<DataSourceWire> {
  const id = current.data_source_id;
  const what = differences(desired, current, marks);
  if (what.some((change) => change.startsWith('plugin '))) {
    throw new Error(
      `${desired.name} (${id}): its plugin cannot change (${current.plugin_info?.plugin_id} → ${desired.plugin}); declare a new data source with another name`,
    );
  }
  if (what.some((change) => change.startsWith('options.'))) {
    const stored = current.plugin_info?.options ?? {};
    const removed = Object.fromEntries(
      Object.keys(stored)
        .filter((key) => !Object.hasOwn(desired.options, key))
        .map((key) => [key, null]),
    );
    await remote.call('/cost-analysis/v1/data-source/update-plugin', { data_source_id: id, options: { ...removed, ...desired.options } });
  }
  if (desired.secret && what.includes('secret')) {
    await remote.call('/cost-analysis/v1/data-source/update-secret-data', { data_source_id: id, secret_data: desired.secret });
  }
  return remote.call<DataSourceWire>('/cost-analysis/v1/data-source/update', {
    data_source_id: id,
    name: desired.name,
    schedule: desired.schedule,
    retention_months: desired.retentionMonths ?? null,
    tags: tagsFor(desired, current.tags ?? {}, marks, what.includes('secret') ? undefined : current.tags?.[SECRET_TAG]),
  });
}

export async function deleteSource(remote: Remote, current: DataSourceWire): Promise<void> {
  await remote.call('/cost-analysis/v1/data-source/deregister', { data_source_id: current.data_source_id });
}

/** The data source's tags with the marks: managed (when it is), and the fingerprint of the secret written (kept when unchanged). */
function tagsFor(desired: DesiredSource, tags: Record<string, unknown>, marks: Marks, keptFingerprint?: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { ...tags, ...(marks.managed ? { [MANAGED_TAG]: 'managed' } : {}) };
  if (desired.secret) out[SECRET_TAG] = typeof keptFingerprint === 'string' ? keptFingerprint : secretFingerprint(desired.secret);
  else delete out[SECRET_TAG];
  return out;
}
