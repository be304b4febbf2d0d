import { collectDefaultMetrics, Counter, Gauge, Registry, type Metric } from 'prom-client';
import { JOB_STATUS } from '../domain/status.js';
import type { Queryable } from '../store/database.js';
import { DURATION_BUCKETS, readSnapshot, type Snapshot } from './snapshot.js';

/**
 * The Prometheus registry of one process: process metrics (`costsync_process_*`, `nodejs_*`
 * under the same prefix) and the engine's, filled from a database snapshot taken at each
 * scrape. Concurrent scrapes share one snapshot.
 */
export interface Metrics {
  readonly registry: Registry;
  /** The exposition text (`text/plain; version=0.0.4`). */
  scrape(): Promise<string>;
}

export function makeMetrics(db: Queryable): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'costsync_' });
  const jobs = new Gauge({ name: 'costsync_jobs', help: 'Jobs by status.', labelNames: ['status'], registers: [registry] });
  const running = new Gauge({ name: 'costsync_tasks_running', help: 'Tasks being run by a worker (IN_PROGRESS).', registers: [registry] });
  const pending = new Gauge({ name: 'costsync_tasks_pending', help: 'Tasks waiting for a worker (PENDING).', registers: [registry] });
  const rows = new Counter({
    name: 'costsync_rows_ingested_total',
    help: 'Cost rows written by tasks that succeeded.',
    registers: [registry],
  });
  const errors = new Counter({
    name: 'costsync_plugin_errors_total',
    help: 'Tasks that ended FAILURE or TIMEOUT, by error code.',
    labelNames: ['error_code'],
    registers: [registry],
  });
  const reaped = new Gauge({
    name: 'costsync_leases_reaped',
    help: 'Tasks whose worker stopped renewing its lease: requeued (waiting for another worker) or gave_up (attempts used up).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const durations = databaseHistogram('costsync_task_duration_seconds', 'Run time of finished tasks (last attempt), by final status.');
  registry.registerMetric(durations.metric);

  const fill = (s: Snapshot) => {
    jobs.reset();
    for (const status of Object.values(JOB_STATUS)) jobs.set({ status }, s.jobs[status] ?? 0);
    running.set(s.tasks.IN_PROGRESS ?? 0);
    pending.set(s.tasks.PENDING ?? 0);
    rows.reset();
    rows.inc(s.rowsIngested);
    errors.reset();
    for (const [code, n] of Object.entries(s.taskErrors)) errors.inc({ error_code: code }, n);
    reaped.set({ outcome: 'requeued' }, s.leasesReaped.requeued);
    reaped.set({ outcome: 'gave_up' }, s.leasesReaped.gaveUp);
    durations.set(s);
  };

  let inFlight: Promise<string> | undefined;
  return {
    registry,
    scrape() {
      inFlight ??= readSnapshot(db)
        .then((snapshot) => {
          fill(snapshot);
          return registry.metrics();
        })
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}

/**
 * A histogram whose buckets are counted by the database (prom-client's Histogram only takes
 * single observations): it implements the part of prom-client's metric interface the
 * registry reads.
 */
function databaseHistogram(name: string, help: string) {
  type Value = { metricName: string; labels: Record<string, string | number>; value: number };
  let values: Value[] = [];
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => ({ name, help, type: 'histogram', aggregator: 'sum', values }),
    reset: () => {
      values = [];
    },
  };
  return {
    metric: metric as unknown as Metric,
    set(snapshot: Snapshot) {
      values = snapshot.durations.flatMap((d): Value[] => [
        ...DURATION_BUCKETS.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le, status: d.status }, value: d.buckets[i] })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf', status: d.status }, value: d.count },
        { metricName: `${name}_sum`, labels: { status: d.status }, value: d.sum },
        { metricName: `${name}_count`, labels: { status: d.status }, value: d.count },
      ]);
    },
  };
}
