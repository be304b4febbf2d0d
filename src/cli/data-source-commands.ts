import type { DataSourceWire } from './api-answers.js';
import { differences, MANAGED_TAG } from './apply/plan.js';
import { readOneSource } from './apply/source-file.js';
import { createSource, updateSource } from './apply/write.js';
import { connect, type RemoteOptions } from './remote.js';

export interface DataSourceFileOptions extends RemoteOptions {
  file: string;
  json?: boolean;
}

/**
 * `costsync data-source register|update|deregister|verify`: one data source, declared in a
 * file (`-f`, the format of `costsync apply`) for register and update.
 */
export async function registerCommand(options: DataSourceFileOptions): Promise<number> {
  const desired = readOneSource(options.file);
  const remote = await connect(options);
  const created = await createSource(remote, desired, { managed: false });
  return print(options, created, `registered ${created.name} (${created.data_source_id})`);
}

/** Changes what the file declares differently; the name too (the id says which data source). */
export async function updateCommand(dataSourceId: string, options: DataSourceFileOptions): Promise<number> {
  const desired = readOneSource(options.file);
  const remote = await connect(options);
  const current = await remote.call<DataSourceWire>('/cost-analysis/v1/data-source/get', { data_source_id: dataSourceId });
  const marks = { managed: current.tags?.[MANAGED_TAG] === 'managed' };
  const what = differences(desired, current, { managed: false });
  if (desired.name !== current.name) what.unshift(`name ${current.name} → ${desired.name}`);
  if (what.length === 0) return print(options, current, `${current.name} (${dataSourceId}): nothing to change`);
  const updated = await updateSource(remote, desired, current, marks);
  return print(options, updated, `changed ${desired.name} (${dataSourceId}): ${what.join('; ')}`);
}

export async function deregisterCommand(dataSourceId: string, options: RemoteOptions & { deleteCosts?: boolean }): Promise<number> {
  const remote = await connect(options);
  const current = await remote.call<DataSourceWire>('/cost-analysis/v1/data-source/get', { data_source_id: dataSourceId });
  await remote.call('/cost-analysis/v1/data-source/deregister', {
    data_source_id: dataSourceId,
    cascade_delete_cost: options.deleteCosts === true,
  });
  process.stdout.write(`deregistered ${current.name} (${dataSourceId})${options.deleteCosts ? ' and deleted its cost rows' : ''}\n`);
  return 0;
}

export async function verifyCommand(dataSourceId: string, options: RemoteOptions): Promise<number> {
  const remote = await connect(options);
  await remote.call('/cost-analysis/v1/data-source/verify-plugin', { data_source_id: dataSourceId });
  process.stdout.write(`${dataSourceId}: the plugin accepts its options and secret\n`);
  return 0;
}

function print(options: { json?: boolean }, source: DataSourceWire, line: string): number {
  process.stdout.write(options.json ? `${JSON.stringify(source, null, 2)}\n` : `${line}\n`);
  return 0;
}
