import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const REPO = join(import.meta.dirname, '../..');
/** tsx's loader by its URL, so that the CLI runs from source whatever the working directory. */
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `costsync <args>` (from source) to completion, from the repository root or `cwd`. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd = REPO): Promise<CliResult> {
  return collect(process.execPath, ['--import', TSX, CLI, ...args], { NO_COLOR: '1', ...env }, cwd);
}

/** Runs a program to completion, keeping what it printed. */
function collect(program: string, args: string[], env: Record<string, string>, cwd = REPO): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * Runs `costsync <args>` under a pseudo-terminal (util-linux `script`), as a person at a
 * terminal would: the output is everything the terminal received, escape sequences included;
 * the exit code is the command's.
 */
export function runCliInTerminal(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const command = [process.execPath, '--import', 'tsx', CLI, ...args].map(quote).join(' ');
  return collect('script', ['-qfec', command, '/dev/null'], { TERM: 'xterm', ...env });
}
