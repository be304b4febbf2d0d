import type { EngineConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { isTransientDatabaseError } from '../domain/errors.js';
import { JOB_STATUS, TASK_STATUS } from '../domain/status.js';
import type { Logger } from '../app/logger.js';
import { PluginError } from '../plugins/plugin.js';
import type { Database } from '../store/database.js';
import type { JobTaskRow } from '../store/rows.js';
import { abortable } from './abortable.js';
import { CopyBatch } from './copy-batch.js';
import { CostIds } from './cost-ids.js';
import { BadRowError, COST_COPY_COLUMNS, CostKeys, encodeCostRows } from './cost-rows.js';
import { forgetRowsOfEndedJob, leaseOf, renewLease, writeBatch, type Lease } from './lease.js';
import type { TaskPlugin } from './task-plugin.js';
import { endTaskAndJob, releaseTask, retryTask, succeedTask } from './task-outcome.js';

/** Why a running attempt was stopped from outside the plugin stream. */
export const STOP = {
  /** The task or its job ended elsewhere (cancel, reaper, deadline): write nothing more. */
  lost: 'lost',
  /** No page arrived within the stall timeout. */
  stalled: 'stalled',
  /** This process is shutting down: give the task back. */
  shutdown: 'shutdown',
} as const;
type StopReason = (typeof STOP)[keyof typeof STOP];

class Stop extends Error {
  constructor(readonly reason: StopReason) {
    super(`task stopped: ${reason}`);
  }
}

export interface RunDeps {
  db: Database;
  config: EngineConfig;
  log: Logger;
  /** The date retention counts from when this task publishes its job. */
  clock: Clock;
  /** Resolves the plugin and the request for this task (data source, decrypted secret). */
  preparePlugin(task: JobTaskRow): Promise<TaskPlugin>;
}

/**
 * Runs one claimed attempt of a task: streams the plugin's pages, writes them in fenced
 * batches, and records the outcome. Memory stays bounded: at most one batch is being written
 * while the next one fills, and the plugin is not read further until the write is accepted.
 *
 * Invariant: whatever happens, the attempt ends in exactly one outcome (success, retry,
 * failure, timeout, give-back) or — if the task was taken away — in none, and the timers and
 * the plugin stream are always released (`finally`).
 */
/**
 * `shutdown` aborts when this process stops; `jobEnded` when a notification says the job ended
 * elsewhere (cancel, failure of a sibling task, deadline), so the task stops at once rather than
 * at its next write.
 */
export async function runTask(task: JobTaskRow, deps: RunDeps, shutdown: AbortSignal, jobEnded: AbortSignal): Promise<void> {
  const { db, config } = deps;
  const lease = leaseOf(task);
  const log = deps.log.child({ job_id: task.job_id, job_task_id: task.job_task_id, attempt: task.attempt });
  const controller = new AbortController();
  const stop = (reason: StopReason) => {
    if (!controller.signal.aborted) controller.abort(new Stop(reason));
  };

  const onShutdown = () => stop(STOP.shutdown);
  const onJobEnded = () => stop(STOP.lost);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  jobEnded.addEventListener('abort', onJobEnded, { once: true });
  let stallTimer = setTimeout(() => stop(STOP.stalled), config.taskStallTimeoutMs);
  const heartbeat = startHeartbeat(db, lease, config, () => stop(STOP.lost), log);

  const keys = new CostKeys();
  const ids = CostIds.of(db);
  let rowsSeen = 0;
  // The batch filling and the batch being written (their buffers swap at each flush).
  let filling = new CopyBatch();
  let writing = new CopyBatch();
  const lines: string[] = [];
  let lastFlush = Date.now();
  // The write of `writing`; it never rejects: a failed write is kept in writeError and rethrown
  // by `settle` (so no rejection is left unhandled while the stream goes on).
  let inFlight: Promise<void> | undefined;
  let writeError: unknown;
  const settle = async () => {
    await inFlight;
    if (writeError) throw writeError;
  };

  const flush = async () => {
    await settle();
    [filling, writing] = [writing, filling];
    filling.clear();
    lastFlush = Date.now();
    inFlight = writeBatch(db, lease, 'cost', COST_COPY_COLUMNS, writing.bytes(), writing.rows, config.leaseMs).then(
      (accepted) => {
        if (!accepted) stop(STOP.lost);
      },
      (error: unknown) => {
        writeError = error;
      },
    );
  };

  try {
    const plugin = await deps.preparePlugin(task);
    for await (const page of abortable(plugin.getData(controller.signal), controller.signal)) {
      if (!Array.isArray(page))
        throw new BadRowError('ERROR_INVALID_PARAMETER_TYPE', `page after row ${rowsSeen}: a page must be a list of rows`);
      if (page.length > config.maxPageRows) {
        throw new BadRowError(
          'ERROR_INVALID_PARAMETER',
          `page after row ${rowsSeen}: ${page.length.toLocaleString('en-US')} rows; a page may have at most ${config.maxPageRows.toLocaleString('en-US')} (COSTSYNC_PAGE_MAX_ROWS)`,
        );
      }
      // Only rows count as progress: a plugin that sends nothing but empty pages stalls.
      if (page.length > 0) {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => stop(STOP.stalled), config.taskStallTimeoutMs);
      }
      await ids.reserve(page.length);
      encodeCostRows(page, ids.take(page.length), plugin.stamp, keys, rowsSeen + 1, lines, config.rowLimits);
      filling.append(lines);
      rowsSeen += page.length;
      // The page's rows are bytes in the batch now. Kept over the wait for the write below —
      // the plugin's generator still holds the page while it is suspended — they would survive
      // young-generation collections and pile up in old space (a 1 M-row sync peaked at
      // ~360 MB that way, ~210 MB with both emptied). Pages are handed over (plugin.ts).
      lines.length = 0;
      page.length = 0;
      if (filling.rows >= config.batchRows || Date.now() - lastFlush >= config.heartbeatMs) await flush();
      if (controller.signal.aborted) throw controller.signal.reason;
    }
    await flush();
    await settle();
    if (controller.signal.aborted) throw controller.signal.reason;
    const result = await succeedTask(db, lease, keys.toJSON(), { defaultMonths: config.retentionMonths, today: deps.clock() });
    log.info({ rows: rowsSeen, result }, 'task finished');
  } catch (error) {
    await inFlight;
    await recordFailure(deps, lease, controller.signal.aborted ? controller.signal.reason : error, log);
  } finally {
    clearTimeout(stallTimer);
    heartbeat.stop();
    shutdown.removeEventListener('abort', onShutdown);
    jobEnded.removeEventListener('abort', onJobEnded);
  }
}

async function recordFailure(deps: RunDeps, lease: Lease, error: unknown, log: Logger): Promise<void> {
  const { db, config } = deps;
  if (error instanceof Stop) {
    if (error.reason === STOP.shutdown) return releaseTask(db, lease);
    if (error.reason === STOP.lost) {
      log.info('task was taken away (job ended or lease lost); stopped');
      return forgetRowsOfEndedJob(db, lease);
    }
    const seconds = Math.round(config.taskStallTimeoutMs / 1000);
    log.warn({ stall_timeout_s: seconds }, 'task stalled');
    await endTaskAndJob(db, lease, {
      taskStatus: TASK_STATUS.TIMEOUT,
      errorCode: 'ERROR_TASK_TIMEOUT',
      errorMessage: `The plugin sent no data for ${seconds} s (task stall timeout).`,
      job: {
        status: JOB_STATUS.TIMEOUT,
        errorCode: 'ERROR_TASK_TIMEOUT',
        errorMessage: `Task ${lease.jobTaskId} stalled: no data for ${seconds} s.`,
      },
    });
    return;
  }
  const { code, message, transient } = describe(error);
  if (transient && lease.attempt < config.maxAttempts) {
    const delay = config.retryBackoffMs * 2 ** (lease.attempt - 1);
    log.warn({ error_code: code, retry_in_ms: delay }, `transient plugin error, will retry: ${message}`);
    await retryTask(db, lease, delay, code, message);
    return;
  }
  const finalMessage = transient ? `${message} (gave up after ${lease.attempt} attempts)` : message;
  log.warn({ error_code: code }, `task failed: ${finalMessage}`);
  await endTaskAndJob(db, lease, {
    taskStatus: TASK_STATUS.FAILURE,
    errorCode: code,
    errorMessage: finalMessage,
    job: { status: JOB_STATUS.FAILURE, errorCode: 'ERROR_JOB_TASK', errorMessage: 'One or more job tasks have failed.' },
  });
}

/**
 * Transient: the plugin said so (UNAVAILABLE and the like), or the database connection failed
 * or a transaction was rolled back by the server (the attempt is simply tried again).
 * Everything else is permanent.
 */
function describe(error: unknown): { code: string; message: string; transient: boolean } {
  if (error instanceof PluginError) return { code: error.code, message: error.message, transient: error.transient };
  if (error instanceof BadRowError) return { code: error.code, message: error.message, transient: false };
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && isTransientDatabaseError(code)) {
    return { code: 'ERROR_DATABASE_UNAVAILABLE', message: `database: ${message}`, transient: true };
  }
  return { code: typeof code === 'string' && code.startsWith('ERROR_') ? code : 'ERROR_UNKNOWN', message, transient: false };
}

function startHeartbeat(db: Database, lease: Lease, config: EngineConfig, onLost: () => void, log: Logger) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      if (!(await renewLease(db, lease, config.leaseMs))) onLost();
    } catch (error) {
      log.warn({ err: error }, 'lease renewal failed; will try again');
    } finally {
      busy = false;
    }
  }, config.heartbeatMs);
  return { stop: () => clearInterval(timer) };
}
