import type { DataSourceWire } from './api-answers.js';
import { differences, MANAGED_TAG } from './apply/plan.js';
import { type DesiredSource, readOneSource, SourceFileError, type SourceFlags, sourceFromFlags } from './apply/source-file.js';
import { createSource, updateSource } from './apply/write.js';
import { connect, type RemoteOptions } from './remote.js';

export interface DataSourceFileOptions extends RemoteOptions, SourceFlags {
  file?: string;
  json?: boolean;
}

const FLAGS: (keyof SourceFlags)[] = ['name', 'plugin', 'options', 'secretEnv', 'schedule', 'retentionMonths'];

/** A file and flags together are refused, before anything is read or sent. */
function oneWay(options: DataSourceFileOptions): void {
  if (options.file && FLAGS.some((flag) => options[flag] !== undefined)) {
    throw new SourceFileError('give -f or flags (--name, --plugin, --options…), not both');
  }
}

/** The declaration: a file (`-f`), or flags over `base`. */
function declared(options: DataSourceFileOptions, base?: Record<string, unknown>): DesiredSource {
  oneWay(options);
  const flagged = FLAGS.filter((flag) => options[flag] !== undefined);
  if (options.file) return readOneSource(options.file);
  if (flagged.length === 0 && !base)
    throw new SourceFileError('say what to register: -f source.yaml, or --name and --plugin (and --options, --secret-env, --schedule)');
  return sourceFromFlags(options, base);
}

/** A data source as the server has it, in the declaration's form (what flags of `update` change). */
function asEntry(current: DataSourceWire): Record<string, unknown> {
  return {
    name: current.name,
    plugin: current.plugin_info?.plugin_id ?? '',
    options: current.plugin_info?.options ?? {},
    schedule: current.schedule?.state === 'ENABLED' ? { hour: current.schedule.hour ?? 0 } : 'off',
    ...(current.retention_months !== undefined ? { retention_months: current.retention_months } : {}),
  };
}

/**
 * `costsync data-source register|update|deregister|verify`: one data source, declared in a
 * file (`-f`, the format of `costsync apply`) for register and update.
 */
export async function registerCommand(options: DataSourceFileOptions): Promise<number> {
  const desired = declared(options);
  const remote = await connect(options);
  const created = await createSource(remote, desired, { managed: false });
  return print(options, created, `registered ${created.name} (${created.data_source_id})`);
}

/** Changes what the file declares differently; the name too (the id says which data source). */
export async function updateCommand(dataSourceId: string, options: DataSourceFileOptions): Promise<number> {
  oneWay(options);
  const remote = await connect(options);
  const current = await remote.call<DataSourceWire>('/cost-analysis/v1/data-source/get', { data_source_id: dataSourceId });
  const desired = declared(options, asEntry(current));
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
