import type { SyncMode } from '../domain/status.js';
import type { DataSourceRow, JobRow } from '../store/rows.js';

export interface SyncRequest {
  /** Passed to the plugin's get_tasks as `start` (plugins expect `YYYY-MM`). */
  start?: string;
  noPreloadCache?: boolean;
  syncMode: SyncMode;
}

/**
 * The job engine as the services see it. Callers check scope and permissions first; the
 * engine trusts the data source it is given.
 */
export interface Engine {
  /**
   * Starts a job: claims the data source's single running-job slot (ERROR_DUPLICATE_JOB,
   * naming the running job, without calling the plugin), asks the plugin for tasks
   * (ERROR_GET_JOB_TASKS) and queues them. Also ERROR_DATA_SOURCE_STATE when the schedule is
   * DISABLED and ERROR_NOT_ALLOW_SYNC_COMMAND for LOCAL data sources. Returns the new job.
   */
  sync(dataSource: DataSourceRow, request: SyncRequest): Promise<JobRow>;
  /** Cancels a running job and removes the rows it wrote; ERROR_JOB_STATE when not running. */
  cancel(jobId: string): Promise<JobRow>;
  /** Resolves with the job once it is no longer IN_PROGRESS (polls the database). */
  waitForJob(jobId: string, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<JobRow>;
  /** Starts this process's workers, reaper and (if configured) scheduler. */
  start(): void;
  /** Stops taking work, returns running tasks' leases, and waits for the loops to end. */
  stop(): Promise<void>;
}
