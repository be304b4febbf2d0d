/** Timestamps on the wire: `YYYY-MM-DDTHH:MM:SS.mmmZ` (spec §5), always UTC. */
export function formatTimestamp(value: Date | string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString();
}

/** `YYYY-MM` of a UTC date. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

/** `YYYY-MM-DD` of a UTC date. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The month `offset` months after `YYYY-MM` (negative goes back). */
export function addMonths(month: string, offset: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y * 12 + (m - 1) + offset;
  const year = Math.floor(index / 12);
  const mon = (index % 12) + 1;
  return `${String(year).padStart(4, '0')}-${String(mon).padStart(2, '0')}`;
}

/** Number of days in a `YYYY-MM` month. */
export function daysInMonth(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;
export const DATE_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** True when `YYYY-MM-DD` names a real calendar day. */
export function isCalendarDate(value: string): boolean {
  if (!DATE_PATTERN.test(value)) return false;
  return daysInMonth(value.slice(0, 7)) >= Number(value.slice(8, 10));
}

/** A duration as people say it: `15 s`, `2 min`, `2 h 30 min`. */
export function describeDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}
