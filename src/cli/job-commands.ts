import { followJob, reportOutcome, type JobWire } from './progress.js';
import { connect, type RemoteOptions } from './remote.js';
import { formatWhen } from './table.js';

export interface JobOptions extends RemoteOptions {
  json?: boolean;
}

/**
 * `costsync job watch <job_id>`: the progress of a job (running or not) until it ends; exits
 * 0 only when it ends SUCCESS.
 */
export async function jobWatchCommand(jobId: string, options: JobOptions): Promise<number> {
  const remote = await connect(options);
  const followed = await followJob(remote, jobId, process.stderr);
  if (options.json) process.stdout.write(JSON.stringify(followed.job, null, 2) + '\n');
  return reportOutcome(followed, process.stderr);
}

/** `costsync job cancel <job_id>`: ends a running job CANCELED; its rows are removed. */
export async function jobCancelCommand(jobId: string, options: JobOptions): Promise<number> {
  const remote = await connect(options);
  const job = await remote.call<JobWire>('/cost-analysis/v1/job/cancel', { job_id: jobId });
  if (options.json) process.stdout.write(JSON.stringify(job, null, 2) + '\n');
  else process.stdout.write(`job ${job.job_id} ${job.status} at ${formatWhen(job.finished_at ?? new Date())}; its rows were removed\n`);
  return 0;
}
