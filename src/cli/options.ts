import { JOB_STATUS } from '../domain/status.js';
import { MONTH_PATTERN } from '../domain/time.js';

/**
 * Command-line values checked before anything is sent or saved: a bad one fails the command
 * with a message naming the flag and what it takes.
 */
export const MAX_LIMIT = 1000;

export function limitOption(value: string | undefined, fallback = 20): number {
  if (value === undefined) return fallback;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_LIMIT) {
    throw new Error(`--limit must be a whole number from 1 to ${MAX_LIMIT} (got "${value}")`);
  }
  return limit;
}

export function monthOption(value: string | undefined): string | undefined {
  if (value !== undefined && !MONTH_PATTERN.test(value)) {
    throw new Error(`--start must be a month as YYYY-MM, such as 2026-01 (got "${value}")`);
  }
  return value;
}

const STATUSES: readonly string[] = Object.values(JOB_STATUS);

export function statusOption(value: string | undefined): string | undefined {
  if (value !== undefined && !STATUSES.includes(value)) {
    throw new Error(`--status must be one of ${STATUSES.join(', ')} (got "${value}")`);
  }
  return value;
}
