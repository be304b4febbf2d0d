-- Counters for /metrics, added to by the engine in the transaction that changes what they count
-- (a job published or ended, a task finished, a lease reaped), so they only go up — a data source
-- deleted later or rows removed by retention do not lower them — and a scrape reads this small
-- table instead of the job and task tables. Totals count from this migration on (Prometheus
-- takes the start as a counter reset).
CREATE TABLE metric_total (
  name text NOT NULL,
  labels jsonb NOT NULL DEFAULT '{}',
  value double precision NOT NULL DEFAULT 0,
  PRIMARY KEY (name, labels)
);

-- Running jobs, counted by a scrape without reading the finished ones.
CREATE INDEX job_running ON job (created_at) WHERE status = 'IN_PROGRESS';
