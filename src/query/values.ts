import { err } from '../domain/errors.js';
import { isCalendarDate } from '../domain/time.js';

/** Value readers shared by filters and aggregation conditions. */

const ISO_DATETIME =
  /^(\d{4}-\d{2}-\d{2})(?:[T ]([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,9}))?)?)?(Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?$/;

/**
 * An ISO-8601 date or datetime (`2025-08-01`, `2025-08-01T10:00:00Z`, `…+09:00`); without a
 * zone it is UTC. Anything else is ERROR_DB_QUERY, as the upstream answers a bad datetime.
 */
export function parseDatetime(value: unknown, operator: string): Date {
  const match = typeof value === 'string' ? ISO_DATETIME.exec(value.trim()) : null;
  if (!match || !isCalendarDate(match[1])) {
    throw err.dbQuery(`'${operator}' needs an ISO-8601 datetime such as 2025-08-01T00:00:00Z, got ${JSON.stringify(value)}`);
  }
  const [, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return new Date(`${day}T${hour}:${minute}:${second}.${fraction.padEnd(3, '0').slice(0, 3)}${offset}`);
}

const TIMEDIFF = /^now(?:\/([dwm]))?\s*(?:([+-])\s*(\d+)\s*([smhdw]))?$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * `now`, `now/d` (today 00:00 UTC), `now/w` (Monday 00:00 UTC), `now/m` (the 1st, 00:00 UTC),
 * optionally followed by `+` or `-` N and a unit (s m h d w), e.g. `now/d - 7d`.
 */
export function parseTimediff(value: unknown, operator: string, now = new Date()): Date {
  const match = typeof value === 'string' ? TIMEDIFF.exec(value.trim()) : null;
  if (!match) {
    throw err.dbQuery(`'${operator}' needs a value like "now", "now/d - 7d" or "now/m + 1w", got ${JSON.stringify(value)}`);
  }
  const [, truncate, sign, amount, unit] = match;
  const base = new Date(now);
  if (truncate) base.setUTCHours(0, 0, 0, 0);
  if (truncate === 'w') base.setUTCDate(base.getUTCDate() - ((base.getUTCDay() + 6) % 7));
  if (truncate === 'm') base.setUTCDate(1);
  const delta = sign ? Number(amount) * UNIT_MS[unit] * (sign === '-' ? -1 : 1) : 0;
  return new Date(base.getTime() + delta);
}

/** A case-insensitive `ILIKE` pattern that matches `value` anywhere, with wildcards escaped. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
