/**
 * What time it is, for every decision that depends on the calendar: which months a plugin's
 * default window covers, how far today's data goes, where retention cuts, which scheduler slot
 * is due. One clock is built at the composition root and passed down; nothing else asks the
 * system for the date, so a test can run the whole service on 29 February or at midnight.
 *
 * (Durations — leases, timeouts, backoff — are measured by the database's and the process's own
 * timers, not by this clock: they depend on time passing, not on the date.)
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** A clock stopped at one instant (`2028-02-29T12:00:00Z`). */
export function fixedClock(instant: string | Date): Clock {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  return () => new Date(at);
}
