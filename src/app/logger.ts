import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Secrets never reach a log line: plugin secret data is only ever held
 * decrypted in the engine while calling the plugin, and these paths are redacted besides.
 */
export function makeLogger(level = process.env.COSTSYNC_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { service: 'costsync' },
    redact: ['secret_data', '*.secret_data', 'plugin_info.secret_data', 'req.headers.authorization'],
  });
}

export const silentLogger: Logger = pino({ level: 'silent' });
