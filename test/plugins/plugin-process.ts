import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');

/** A plugin module served by `costsync plugin serve` in a child process. */
export interface PluginProcess {
  readonly port: number;
  /** The address it printed (`plugin listening on <host>:<port>`). */
  readonly host: string;
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  kill(): Promise<void>;
}

/**
 * `module` is a path from the repository root, or a built-in plugin's id (`focus`); `listen`
 * replaces the default `--host 127.0.0.1 --port <port>` (`[]`: the command's own defaults).
 */
export async function startPluginProcess(
  module: string,
  port = 0,
  listen = ['--host', '127.0.0.1', '--port', String(port)],
  env: Record<string, string> = {},
): Promise<PluginProcess> {
  const target = module.includes('/') ? join(ROOT, module) : module;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'plugin', 'serve', target, ...listen], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const bound = await new Promise<{ host: string; port: number }>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`plugin did not start in 30 s: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /plugin listening on ([^:\s]+):(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ host: match[1], port: Number(match[2]) });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited (${code}) before listening: ${stderr}`));
    });
  });
  return {
    port: bound.port,
    host: bound.host,
    url: `grpc://127.0.0.1:${bound.port}`,
    child,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
