import type { DestinationStream } from 'pino';
import { makeLogger, type Logger } from '../app/logger.js';

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[36m'],
  30: ['INFO ', '\x1b[32m'],
  40: ['WARN ', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'v']);

/**
 * One pino JSON line as a line for people: `14:03:22.120 INFO  task finished job_id=… rows=…`,
 * coloured when `color`. Fields keep their names, so what a terminal shows is what the JSON
 * logs say. A line that is not JSON is passed through.
 */
export function formatLogLine(line: string, color: boolean): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line);
  } catch {
    return line.endsWith('\n') ? line : `${line}\n`;
  }
  const paint = (code: string, text: string) => (color ? `${code}${text}${RESET}` : text);
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const [name, code] = LEVELS[entry.level as number] ?? ['LOG  ', ''];
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${fieldText(key, value)}`);
  const err = entry.err as { stack?: string } | undefined;
  const stack = err?.stack ? `\n${paint(DIM, err.stack)}` : '';
  return `${paint(DIM, time)} ${paint(code, name)} ${entry.msg ?? ''}${fields.length ? ' ' + paint(DIM, fields.join(' ')) : ''}${stack}\n`;
}

function fieldText(key: string, value: unknown): string {
  if (key === 'err' && value && typeof value === 'object') return JSON.stringify((value as { message?: string }).message ?? value);
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** A pino destination that prints `formatLogLine` to `out`. */
function prettyDestination(out: NodeJS.WritableStream & { isTTY?: boolean }): DestinationStream {
  const color = out.isTTY === true && !process.env.NO_COLOR;
  return { write: (line: string) => void out.write(formatLogLine(line, color)) };
}

/** How the server logs: `pretty` on a terminal, `json` otherwise, or as COSTSYNC_LOG_FORMAT says. */
export function logFormat(env: Record<string, string | undefined> = process.env): 'pretty' | 'json' {
  return (env.COSTSYNC_LOG_FORMAT ?? (process.stdout.isTTY ? 'pretty' : 'json')) === 'pretty' ? 'pretty' : 'json';
}

/**
 * Where `serve` and `worker` write what they say at start (the address, the demo job, a token):
 * stdout beside readable logs, stderr when stdout carries JSON log lines, so a log shipper reads
 * nothing but JSON.
 */
export function startupOutput(env: Record<string, string | undefined> = process.env): NodeJS.WritableStream {
  return logFormat(env) === 'json' ? process.stderr : process.stdout;
}

/**
 * The server's logger: JSON lines, or readable lines when stdout is a terminal.
 * `COSTSYNC_LOG_FORMAT=json` or `pretty` decides explicitly.
 */
export function cliLogger(env: Record<string, string | undefined> = process.env): Logger {
  return logFormat(env) === 'pretty'
    ? makeLogger(env.COSTSYNC_LOG_LEVEL ?? 'info', prettyDestination(process.stdout))
    : makeLogger(env.COSTSYNC_LOG_LEVEL ?? 'info');
}
