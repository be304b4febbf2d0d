import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { HAS_SERVER, openTestStore } from '../helpers/backends.js';
import { killed, startCli } from '../helpers/cli-process.js';
import { until } from '../helpers/wait.js';

/**
 * `costsync worker` runs at CPU niceness 19 unless COSTSYNC_WORKER_NICE says otherwise, so that
 * an API server on the same machine answers first while a sync runs (bench/api-load.ts).
 */
describe('costsync worker CPU priority', () => {
  if (HAS_SERVER)
    it('postgres: niceness 19 by default, COSTSYNC_WORKER_NICE sets it', async () => {
      const store = await openTestStore('postgres');
      try {
        for (const [env, nice] of [
          [{}, 19],
          [{ COSTSYNC_WORKER_NICE: '5' }, 5],
        ] as const) {
          const worker = startCli(['worker'], { COSTSYNC_DATABASE_URL: store.url!, ...env });
          try {
            await until(`the worker to run at niceness ${nice}`, async () => getPriority(worker.pid!) === nice);
          } finally {
            await killed(worker);
          }
        }
      } finally {
        await store.release();
      }
    });
});
