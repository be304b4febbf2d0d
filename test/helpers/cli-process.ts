import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { issueToken } from '../../src/auth/tokens.js';
import { readOrCreateKey } from '../../src/secrets/key-file.js';
import { until } from './wait.js';

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

export interface ServerProcess {
  child: ChildProcess;
  /** POSTs `body` to the REST API as a DOMAIN_ADMIN of `domain-cli`; fails on a non-2xx answer. */
  call(path: string, body: unknown): Promise<Record<string, any>>;
}

/**
 * `costsync serve` as a separate process on `dataDir` (its key files, and its embedded database
 * unless `env` names a server), answering REST on a free port; resolves once it is healthy.
 */
export async function startServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}`;
  const child = startCli(['serve'], { COSTSYNC_DATA_DIR: dataDir, COSTSYNC_HTTP_PORT: String(port), COSTSYNC_GRPC_PORT: '0', ...env });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`costsync serve exited (${signal ?? code}) before it was healthy`))),
  );
  exited.catch(() => {});
  await Promise.race([until('costsync serve to be healthy', () => fetch(`${url}/healthz`).then((r) => r.ok), 90_000), exited]);
  const token = await issueToken(readOrCreateKey(dataDir, 'token.key'), { domainId: 'domain-cli', role: 'DOMAIN_ADMIN' });
  return {
    child,
    async call(path, body) {
      const response = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, any>;
    },
  };
}
