import { collectDefaultMetrics, Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import { JOB_STATUS } from '../domain/status.js';
import type { Queryable } from '../store/database.js';
import { DURATION_BUCKETS } from './totals.js';
import { readSnapshot, type Snapshot } from './snapshot.js';

/**
 * The Prometheus registry of one process: process metrics (`costsync_process_*`, `nodejs_*`
 * under the same prefix), this process's HTTP requests, and the engine's, filled from a
 * database snapshot at each scrape (concurrent scrapes share one). Counters only go up: they
 * are the engine's totals (migrations/005_metric_totals.sql), never recounted from tables.
 */
export interface Metrics {
  readonly registry: Registry;
  /** The exposition text (`text/plain; version=0.0.4`). */
  scrape(): Promise<string>;
  /** One answered HTTP request: its route pattern (not its URL), method and status. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

/** Counters kept in metric_total, by their name there: the exposed name, help and label names. */
const COUNTERS: Record<string, [string, string, string[]]> = {
  jobs_finished: ['costsync_jobs_finished_total', 'Jobs that ended, by status.', ['status']],
  rows_ingested: [
    'costsync_rows_ingested_total',
    'Cost rows jobs wrote: published (their job succeeded) or rolled_back (their job ended otherwise).',
    ['outcome'],
  ],
  rows_retention_deleted: ['costsync_rows_retention_deleted_total', 'Cost rows retention removed when jobs were published.', []],
  plugin_errors: ['costsync_plugin_errors_total', 'Tasks that ended FAILURE or TIMEOUT, by error code.', ['error_code']],
  leases_reaped: [
    'costsync_leases_reaped_total',
    'Tasks whose worker stopped renewing its lease: requeued (for another worker) or gave_up (attempts used up).',
    ['outcome'],
  ],
};

export function makeMetrics(db: Queryable): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'costsync_' });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const running = gauge('costsync_jobs_running', 'Jobs IN_PROGRESS.');
  const tasksRunning = gauge('costsync_tasks_running', 'Tasks being run by a worker (IN_PROGRESS).');
  const tasksPending = gauge('costsync_tasks_pending', 'Tasks waiting for a worker (PENDING).');
  const lastSuccess = gauge(
    'costsync_data_source_last_success_timestamp_seconds',
    "When each data source's last successful sync started (alert when it is too long ago).",
    ['data_source_id', 'name'],
  );
  const lastStatus = gauge('costsync_data_source_last_job_status', "Each data source's last job: 1 for its status, 0 for the others.", [
    'data_source_id',
    'status',
  ]);
  const counters = Object.fromEntries(
    Object.entries(COUNTERS).map(([key, [name, help, labelNames]]) => [
      key,
      new Counter({ name, help, labelNames, registers: [registry] }),
    ]),
  );
  const durations = databaseHistogram('costsync_task_duration_seconds', 'Run time of finished tasks (last attempt), by final status.');
  registry.registerMetric(durations.metric);
  const requests = new Histogram({
    name: 'costsync_http_request_duration_seconds',
    help: 'HTTP requests this process answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const fill = (s: Snapshot) => {
    running.set(s.jobsRunning);
    tasksRunning.set(s.tasksRunning);
    tasksPending.set(s.tasksPending);
    for (const counter of Object.values(counters)) counter.reset();
    for (const total of s.totals) counters[total.name]?.inc(total.labels, total.value);
    // Every status of every counter that has one shows, at 0 until it happens.
    for (const status of Object.values(JOB_STATUS)) if (status !== JOB_STATUS.IN_PROGRESS) counters.jobs_finished.inc({ status }, 0);
    for (const outcome of ['published', 'rolled_back']) counters.rows_ingested.inc({ outcome }, 0);
    for (const outcome of ['requeued', 'gave_up']) counters.leases_reaped.inc({ outcome }, 0);
    lastSuccess.reset();
    lastStatus.reset();
    for (const source of s.dataSources) {
      if (source.lastSuccess !== null) lastSuccess.set({ data_source_id: source.dataSourceId, name: source.name }, source.lastSuccess);
      if (source.lastStatus) {
        for (const status of Object.values(JOB_STATUS)) {
          lastStatus.set({ data_source_id: source.dataSourceId, status }, status === source.lastStatus ? 1 : 0);
        }
      }
    }
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
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status_code: String(status) }, seconds);
    },
  };
}

/**
 * A histogram whose buckets the engine counts in metric_total (prom-client's Histogram only
 * takes single observations): it implements the part of prom-client's metric interface the
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
      const of = (total: string, labels: Record<string, string>) =>
        snapshot.totals.find((t) => t.name === total && Object.entries(labels).every(([k, v]) => t.labels[k] === v))?.value ?? 0;
      const statuses = [...new Set(snapshot.totals.filter((t) => t.name === 'task_duration_count').map((t) => t.labels.status))].sort();
      values = statuses.flatMap((status): Value[] => [
        ...DURATION_BUCKETS.map((le) => ({
          metricName: `${name}_bucket`,
          labels: { le, status },
          value: of('task_duration_bucket', { status, le: String(le) }),
        })),
        { metricName: `${name}_bucket`, labels: { le: '+Inf', status }, value: of('task_duration_count', { status }) },
        { metricName: `${name}_sum`, labels: { status }, value: of('task_duration_sum', { status }) },
        { metricName: `${name}_count`, labels: { status }, value: of('task_duration_count', { status }) },
      ]);
    },
  };
}
