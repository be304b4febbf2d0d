import type { Logger } from '../app/logger.js';
import type { EngineConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { err } from '../domain/errors.js';
import { JOB_STATUS } from '../domain/status.js';
import type { PluginResolver } from '../plugins/registry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Database } from '../store/database.js';
import type { JobRow } from '../store/rows.js';
import { endJob, JOB_ENDED_CHANNEL } from './end-job.js';
import { pruneHistory, vacuumIfEmbedded } from './history.js';
import { planJob, TASKS_CHANNEL } from './plan-job.js';
import { reapOnce, sweepEndedJobs } from './reaper.js';
import { runDueSchedules } from './scheduler.js';
import { makeTaskPluginPreparer } from './task-plugin.js';
import type { Engine, SyncRequest } from './types.js';
import { WorkerPool } from './worker-pool.js';

export interface EngineDeps {
  db: Database;
  config: EngineConfig;
  plugins: PluginResolver;
  secrets: SecretBox;
  log: Logger;
  /** The calendar: retention's cut and the scheduler's slots. */
  clock: Clock;
}

const SCHEDULE_EVERY_MS = 60_000;
const SWEEP_EVERY_MS = 30_000;
const HISTORY_EVERY_MS = 10 * 60_000;
const VACUUM_EVERY_MS = 60 * 60_000;

/**
 * The job engine of one process: sync and cancel for the API, and — once started — workers,
 * the reaper and the scheduler. Any number of processes may run engines on one PostgreSQL
 * server; they coordinate only through the database (leases, conditional updates, NOTIFY).
 */
export function makeEngine(deps: EngineDeps): Engine {
  const { db, config, log } = deps;
  const pool = new WorkerPool(
    db,
    config,
    {
      db,
      config,
      log,
      clock: deps.clock,
      preparePlugin: makeTaskPluginPreparer(db, deps.plugins, deps.secrets),
    },
    log,
  );
  const timers: NodeJS.Timeout[] = [];
  const unlisten: (() => Promise<void>)[] = [];
  let started = false;

  const sync = (dataSource: Parameters<Engine['sync']>[0], request: SyncRequest) => planJob(deps, dataSource, request);

  const every = (ms: number, name: string, fn: () => Promise<unknown>) => {
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        await fn();
      } catch (error) {
        log.error({ err: error }, `${name} failed; will run again`);
      } finally {
        busy = false;
      }
    };
    void tick();
    timers.push(setInterval(tick, ms));
  };

  return {
    sync,

    async cancel(jobId) {
      const canceled = await db.transaction((tx) => endJob(tx, jobId, { status: JOB_STATUS.CANCELED }));
      if (canceled) return canceled;
      const [job] = await db.query<JobRow>('SELECT status FROM job WHERE job_id = $1', [jobId]);
      if (!job) throw err.notFound('job_id', jobId);
      throw err.jobState(job.status);
    },

    async waitForJob(jobId, options = {}) {
      const deadline = Date.now() + (options.timeoutMs ?? Number.POSITIVE_INFINITY);
      for (;;) {
        const [job] = await db.query<JobRow>('SELECT * FROM job WHERE job_id = $1', [jobId]);
        if (!job) throw err.notFound('job_id', jobId);
        if (job.status !== JOB_STATUS.IN_PROGRESS) return job;
        if (Date.now() > deadline) throw new Error(`job ${jobId} still IN_PROGRESS after ${options.timeoutMs} ms`);
        if (options.signal?.aborted) throw options.signal.reason;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },

    start() {
      if (started) return;
      started = true;
      void db
        .listen(TASKS_CHANNEL, () => pool.wake())
        .then(
          (stop) => unlisten.push(stop),
          (error) => log.warn({ err: error }, 'LISTEN failed; polling only'),
        );
      void db
        .listen(JOB_ENDED_CHANNEL, (jobId) => pool.jobEnded(jobId))
        .then(
          (stop) => unlisten.push(stop),
          (error) => log.warn({ err: error }, 'LISTEN failed; polling only'),
        );
      pool.start();
      every(config.reapMs, 'reaper', () => reapOnce(db, config));
      every(SWEEP_EVERY_MS, 'sweeper', () => sweepEndedJobs(db));
      every(HISTORY_EVERY_MS, 'job history', () => pruneHistory(db, config.historyDays, deps.clock()));
      every(VACUUM_EVERY_MS, 'vacuum', () => vacuumIfEmbedded(db));
      if (config.scheduler) every(SCHEDULE_EVERY_MS, 'scheduler', () => runDueSchedules(db, sync, log, deps.clock()));
    },

    async stop() {
      if (!started) return;
      started = false;
      for (const timer of timers.splice(0)) clearInterval(timer);
      await pool.stop();
      for (const stop of unlisten.splice(0)) await stop().catch(() => {});
    },
  };
}
