import { setFlagsFromString } from 'node:v8';

/**
 * How far the JavaScript heap may grow past what the last full collection left, before the
 * next one: `COSTSYNC_HEAP_GROWTH_PERCENT` (default 30; 0 leaves V8's own rule). A sync
 * allocates fast and keeps little: V8's own rule, which lets the heap grow up to fourfold
 * between collections, took a 1 M-row sync to ~200 MB resident on PostgreSQL and ~390 MB on
 * the embedded database; at 30 % it stays near 140 and 300 MB at the same speed
 * (bench/RESULTS.md). Only long-running commands (serve, worker) set it, at start.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
}
