import type { Queryable } from '../store/database.js';

/**
 * Increments of the counters in `metric_total` (migrations/005), made in the caller's
 * transaction so a counter moves exactly when what it counts commits. Rows are taken in one
 * order (name, then labels) in every transaction, so two never wait on each other in a cycle;
 * callers add them as their transaction's last statement, so the rows stay locked only until
 * its commit.
 */
export interface Increment {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

const ADD = `
  INSERT INTO metric_total (name, labels, value)
  SELECT x->>'name', x->'labels', (x->>'value')::float8
    FROM jsonb_array_elements($1::jsonb) AS x
   ORDER BY x->>'name', (x->'labels')::text
  ON CONFLICT (name, labels) DO UPDATE SET value = metric_total.value + EXCLUDED.value`;

export async function addTotals(tx: Queryable, increments: readonly Increment[]): Promise<void> {
  const nonZero = increments.filter((i) => i.value !== 0);
  if (nonZero.length === 0) return;
  await tx.query(ADD, [JSON.stringify(nonZero.map((i) => ({ name: i.name, labels: i.labels ?? {}, value: i.value })))]);
}

/** Upper bounds (seconds) of the task duration histogram. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600] as const;

/** One finished task in the duration histogram: its bucket counts (cumulative, as Prometheus reads them), count and sum. */
export function taskDuration(status: string, seconds: number): Increment[] {
  const s = Math.max(0, seconds);
  return [
    ...DURATION_BUCKETS.filter((le) => s <= le).map((le) => ({
      name: 'task_duration_bucket',
      labels: { status, le: String(le) },
      value: 1,
    })),
    { name: 'task_duration_count', labels: { status }, value: 1 },
    { name: 'task_duration_sum', labels: { status }, value: s },
  ];
}
