import { err } from '../../domain/errors.js';

/**
 * Slots for the requests that can be heavy (cost list, stat, analyze): at most `total` run at
 * once, and at most `perDomain` of one domain, so one tenant's heavy queries cannot take every
 * connection of the API's pool — job lists, data sources and `/readyz` keep theirs. A request
 * that finds no slot waits, first come first served, up to `waitMs`; then it gets 503
 * ERROR_UNAVAILABLE and may try again.
 */
export interface QuerySlots {
  run<T>(domainId: string, work: () => Promise<T>): Promise<T>;
}

interface Waiter {
  readonly domainId: string;
  readonly start: () => void;
}

export function makeQuerySlots(limits: { total: number; perDomain: number; waitMs: number }): QuerySlots {
  let running = 0;
  const byDomain = new Map<string, number>();
  const waiting: Waiter[] = [];

  const fits = (domainId: string) => running < limits.total && (byDomain.get(domainId) ?? 0) < limits.perDomain;
  const take = (domainId: string) => {
    running++;
    byDomain.set(domainId, (byDomain.get(domainId) ?? 0) + 1);
  };
  const give = (domainId: string) => {
    running--;
    const left = (byDomain.get(domainId) ?? 1) - 1;
    if (left === 0) byDomain.delete(domainId);
    else byDomain.set(domainId, left);
    // The first waiter whose domain has room goes next; one busy domain does not block the rest.
    const next = waiting.findIndex((w) => fits(w.domainId));
    if (next !== -1) waiting.splice(next, 1)[0].start();
  };

  const slot = (domainId: string): Promise<void> => {
    if (fits(domainId)) {
      take(domainId);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        domainId,
        start: () => {
          clearTimeout(timer);
          take(domainId);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(err.unavailable('too many cost queries are running (COSTSYNC_API_COST_QUERIES); try again shortly'));
      }, limits.waitMs);
      waiting.push(waiter);
    });
  };

  return {
    async run(domainId, work) {
      await slot(domainId);
      try {
        return await work();
      } finally {
        give(domainId);
      }
    },
  };
}
