import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that could hold a secret, removed from every log line. Secrets never reach a log line
 * on purpose (plugin secret data is held decrypted only in the engine while calling the
 * plugin); this list is the second lock.
 */
const REDACT = [
  'secret_data',
  '*.secret_data',
  'plugin_info.secret_data',
  'token',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/**
 * Structured JSON logs (one object per line); lines of a task carry `job_id` and
 * `job_task_id`. `destination` replaces stdout (the CLI passes a pretty printer on a terminal).
 */
export function makeLogger(level = process.env.COSTSYNC_LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'costsync' }, redact: { paths: REDACT, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

export const silentLogger: Logger = pino({ level: 'silent' });
