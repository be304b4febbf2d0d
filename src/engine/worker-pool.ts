import type { Logger } from '../app/logger.js';
import type { EngineConfig } from '../config/config.js';
import type { Database } from '../store/database.js';
import { claimTask } from './lease.js';
import { runTask, type RunDeps } from './run-task.js';

/**
 * `concurrency` loops, each: claim a task → run it → repeat; when the queue is empty, wait
 * for `pollMs` or until woken (new tasks were planned). Tasks of a job that ends elsewhere
 * are stopped through `jobEnded(jobId)`.
 */
export class WorkerPool {
  private readonly shutdown = new AbortController();
  private readonly running = new Map<string, Set<AbortController>>();
  private readonly loops: Promise<void>[] = [];
  private wakeUp: (() => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly config: EngineConfig,
    private readonly deps: RunDeps,
    private readonly log: Logger,
  ) {}

  start(): void {
    for (let slot = 0; slot < this.config.concurrency; slot++) this.loops.push(this.loop(slot));
  }

  /** New tasks exist: idle loops look at once instead of at their next poll. */
  wake(): void {
    const waiting = this.wakeUp;
    this.wakeUp = [];
    for (const resolve of waiting) resolve();
  }

  jobEnded(jobId: string): void {
    for (const controller of this.running.get(jobId) ?? []) controller.abort();
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
    this.wake();
    await Promise.all(this.loops);
  }

  private async loop(slot: number): Promise<void> {
    const signal = this.shutdown.signal;
    while (!signal.aborted) {
      let worked = false;
      try {
        const task = await claimTask(this.db, this.config.workerId, this.config.leaseMs);
        if (task) {
          worked = true;
          const ended = new AbortController();
          const set = this.running.get(task.job_id) ?? new Set();
          set.add(ended);
          this.running.set(task.job_id, set);
          try {
            await runTask(task, this.deps, signal, ended.signal);
          } finally {
            set.delete(ended);
            if (set.size === 0) this.running.delete(task.job_id);
          }
        }
      } catch (error) {
        if (!signal.aborted) this.log.error({ err: error, slot }, 'worker loop error; backing off');
      }
      if (!worked && !signal.aborted) await this.idle();
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.config.pollMs);
      this.wakeUp.push(done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
