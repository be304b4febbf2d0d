import { monthOption } from './options.js';
import { followJob, reportOutcome, type JobWire } from './progress.js';
import { connect, type RemoteOptions } from './remote.js';

export interface SyncOptions extends RemoteOptions {
  start?: string;
  json?: boolean;
}

/**
 * `costsync sync <data_source_id>`: starts a job, shows its progress until it ends (on
 * stderr), and exits 0 only when it ends SUCCESS. `--json` prints the finished job on stdout.
 */
export async function syncCommand(dataSourceId: string, options: SyncOptions): Promise<number> {
  const start = monthOption(options.start);
  const remote = await connect(options);
  const started = Date.now();
  const job = await remote.call<JobWire>('/cost-analysis/v1/data-source/sync', {
    data_source_id: dataSourceId,
    ...(start ? { start } : {}),
  });
  process.stderr.write(`job ${job.job_id} started for ${dataSourceId}\n`);
  const followed = await followJob(remote, job.job_id, process.stderr, started);
  if (options.json) process.stdout.write(JSON.stringify(followed.job, null, 2) + '\n');
  return reportOutcome(followed, process.stderr);
}
