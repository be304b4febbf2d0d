import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/**
 * `costsync <args>` as a separate process (from source), for tests that kill, freeze or
 * restart it. Its scheduler, demo and retention are off and its leases short (1 s), so the
 * rows it writes depend only on the options the test gives (pin their months).
 */
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

export function startCli(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: {
      ...process.env,
      COSTSYNC_LOG_LEVEL: 'warn',
      COSTSYNC_SCHEDULER: '0',
      COSTSYNC_DEMO: '0',
      COSTSYNC_TASK_LEASE_S: '1',
      COSTSYNC_RETENTION_MONTHS: '0',
      COSTSYNC_SYNTHETIC_FAULTS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** SIGKILLs the process (resuming it first, should it be stopped) and waits for it to exit. */
export function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
