import type { DataSourceWire } from '../api-answers.js';
import { connect, type RemoteOptions } from '../remote.js';
import { counted } from '../table.js';
import { type Change, planChanges } from './plan.js';
import { readSourceFile } from './source-file.js';
import { createSource, deleteSource, updateSource } from './write.js';

export interface ApplyOptions extends RemoteOptions {
  file: string;
  dryRun?: boolean;
}

/**
 * `costsync apply -f sources.yaml`: the data sources the file declares, made so on the server.
 * It prints the plan first — `+` create, `~` change (and what), `-` delete, `=` unchanged —
 * then carries it out, one line per change; `--dry-run` prints the plan only. A second run
 * of the same file changes nothing.
 */
export async function applyCommand(options: ApplyOptions): Promise<number> {
  const desired = readSourceFile(options.file);
  const remote = await connect(options);
  const current = await remote.call<{ results: DataSourceWire[] }>('/cost-analysis/v1/data-source/list', {
    query: { sort: [{ key: 'name' }] },
  });
  const changes = planChanges(desired, current.results);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  for (const change of changes) say(planLine(change));
  const count = (kind: Change['kind']) => changes.filter((change) => change.kind === kind).length;
  say(`plan: ${count('create')} to create, ${count('update')} to change, ${count('delete')} to delete, ${count('unchanged')} unchanged`);
  if (options.dryRun) {
    say('dry run: nothing was changed');
    return 0;
  }
  let done = 0;
  for (const change of changes) {
    if (change.kind === 'create')
      say(`created ${change.desired.name} (${(await createSource(remote, change.desired, { managed: true })).data_source_id})`);
    else if (change.kind === 'update') {
      await updateSource(remote, change.desired, change.current, { managed: true });
      say(`changed ${change.desired.name} (${change.current.data_source_id})`);
    } else if (change.kind === 'delete') {
      await deleteSource(remote, change.current);
      say(`deleted ${change.current.name} (${change.current.data_source_id})`);
    } else continue;
    done++;
  }
  say(done === 0 ? 'nothing to do' : `applied ${counted(done, 'change')}`);
  return 0;
}

function planLine(change: Change): string {
  switch (change.kind) {
    case 'create':
      return `+ ${change.desired.name} (plugin ${change.desired.plugin})`;
    case 'update':
      return `~ ${change.desired.name} (${change.current.data_source_id}): ${change.what.join('; ')}`;
    case 'delete':
      return `- ${change.current.name} (${change.current.data_source_id}): no longer declared`;
    case 'unchanged':
      return `= ${change.desired.name} (${change.current.data_source_id})`;
  }
}
