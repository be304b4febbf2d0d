import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until } from '../helpers/wait.js';
import { DEMO_ROWS, startTestServer, type TestServer } from './server.js';

/** `/metrics`, `/healthz` and `/readyz` as Prometheus and a load balancer see them. */

const BROKEN = { accounts: 1, months: 1, fail_task: 0, seed: 21 };
const SLOW = { accounts: 1, months: 3, rows_per_day: 50, page_size: 5, page_delay_ms: 500, seed: 22 };

/** `name{labels} value` lines → a map from `name{labels}` to the value. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    samples.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return samples;
}

describe('metrics and health', () => {
  let server: TestServer;
  const scrape = async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    return parse(await response.text());
  };
  const syncOf = async (name: string, options: Record<string, unknown>) => {
    const id = await server.addDataSource(name, options);
    const [source] = await server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    return server.ctx.engine.sync(source, { syncMode: 'MANUAL' });
  };

  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('after the demo sync and a failed one: jobs by status, rows, errors by code, task durations', async () => {
    const failed = await server.ctx.engine.waitForJob((await syncOf('broken', BROKEN)).job_id);
    assert.equal(failed.status, 'FAILURE');
    const m = await scrape();
    assert.equal(m.get('costsync_jobs_finished_total{status="SUCCESS"}'), 1);
    assert.equal(m.get('costsync_jobs_finished_total{status="FAILURE"}'), 1);
    assert.equal(m.get('costsync_jobs_finished_total{status="CANCELED"}'), 0);
    assert.equal(m.get('costsync_jobs_running'), 0);
    assert.equal(m.get('costsync_tasks_running'), 0);
    assert.equal(m.get('costsync_tasks_pending'), 0);
    assert.equal(
      m.get('costsync_rows_ingested_total{outcome="published"}'),
      DEMO_ROWS,
      "the demo job's rows; the failed task wrote none that count",
    );
    assert.equal(m.get('costsync_plugin_errors_total{error_code="ERROR_SYNTHETIC_FAILURE"}'), 1);
    assert.equal(m.get('costsync_leases_reaped_total{outcome="requeued"}'), 0);
    assert.equal(m.get('costsync_leases_reaped_total{outcome="gave_up"}'), 0);
    const demo = server.demoJob.data_source_id;
    assert.equal(m.get(`costsync_data_source_last_job_status{data_source_id="${demo}",status="SUCCESS"}`), 1);
    assert.equal(m.get(`costsync_data_source_last_job_status{data_source_id="${demo}",status="FAILURE"}`), 0);
    assert.equal(
      m.get(`costsync_data_source_last_success_timestamp_seconds{data_source_id="${demo}",name="demo"}`),
      Math.floor(server.demoJob.created_at.getTime() / 1000) + (server.demoJob.created_at.getTime() % 1000) / 1000,
    );
    assert.equal(m.get(`costsync_data_source_last_job_status{data_source_id="${failed.data_source_id}",status="FAILURE"}`), 1);

    assert.equal(m.get('costsync_task_duration_seconds_count{status="SUCCESS"}'), 6);
    assert.equal(m.get('costsync_task_duration_seconds_count{status="FAILURE"}'), 1);
    assert.equal(m.get('costsync_task_duration_seconds_bucket{le="+Inf",status="SUCCESS"}'), 6);
    const buckets = [...m]
      .filter(([k]) => k.startsWith('costsync_task_duration_seconds_bucket') && k.includes('"SUCCESS"'))
      .map(([, v]) => v);
    assert.deepEqual(
      buckets,
      [...buckets].sort((a, b) => a - b),
      'cumulative buckets',
    );
    assert.ok(m.get('costsync_task_duration_seconds_sum{status="SUCCESS"}')! > 0);
    assert.ok(m.has('costsync_process_cpu_user_seconds_total'), 'process metrics too');
  });

  it('while a job runs: tasks running and pending; counters only grow', async () => {
    const before = await scrape();
    const job = await syncOf('slow', SLOW);
    let m = await scrape();
    for (let i = 0; i < 100 && m.get('costsync_tasks_running') !== 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      m = await scrape();
    }
    assert.equal(m.get('costsync_tasks_running'), 2, 'COSTSYNC_WORKER_CONCURRENCY tasks at once');
    assert.equal(m.get('costsync_tasks_pending'), 1);
    assert.equal(m.get('costsync_jobs_running'), 1);
    await until(
      'the slow job to have written rows',
      async () =>
        (await server.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM cost WHERE job_id = $1', [job.job_id]))[0].n > 0,
      30_000,
    );
    await server.ctx.engine.cancel(job.job_id);
    m = await scrape();
    assert.equal(m.get('costsync_tasks_running'), 0);
    assert.equal(m.get('costsync_jobs_finished_total{status="CANCELED"}'), 1);
    assert.equal(
      m.get('costsync_rows_ingested_total{outcome="published"}'),
      before.get('costsync_rows_ingested_total{outcome="published"}'),
    );
    assert.ok(m.get('costsync_rows_ingested_total{outcome="rolled_back"}')! > 0, 'the canceled job wrote rows, then they were rolled back');

    const paced = await server.ctx.engine.waitForJob((await syncOf('more', { accounts: 1, months: 1, seed: 23 })).job_id);
    assert.equal(paced.status, 'SUCCESS');
    const [{ rows }] = await server.ctx.db.query<{ rows: number }>(
      'SELECT sum(created_count)::int AS rows FROM job_task WHERE job_id = $1',
      [paced.job_id],
    );
    m = await scrape();
    assert.equal(m.get('costsync_rows_ingested_total{outcome="published"}'), DEMO_ROWS + rows);
    assert.equal(m.get('costsync_task_duration_seconds_count{status="SUCCESS"}'), 7);

    // Deleting what was counted does not lower a counter.
    await fetch(`${server.url}/cost-analysis/v1/data-source/deregister`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await server.token()}` },
      body: JSON.stringify({ data_source_id: paced.data_source_id, cascade_delete_cost: true }),
    });
    const after = await scrape();
    for (const [key, value] of m) {
      if (key.endsWith('_total') || key.includes('_total{') || key.includes('_count{')) {
        assert.ok((after.get(key) ?? 0) >= value, `${key} went from ${value} to ${after.get(key)}`);
      }
    }
    assert.ok(![...after.keys()].some((key) => key.includes(paced.data_source_id)), 'a deregistered data source has no gauge');
  });

  it('HTTP requests by route pattern, method and status, never by URL', async () => {
    await fetch(`${server.url}/cost-analysis/v1/job-task/job-task-000000000000`, {
      headers: { authorization: `Bearer ${await server.token()}` },
    });
    await fetch(`${server.url}/no/such/route`);
    const m = await scrape();
    const count = (labels: string) => m.get(`costsync_http_request_duration_seconds_count{${labels}}`);
    assert.equal(count('method="GET",route="/cost-analysis/v1/job-task/:job_task_id",status_code="404"'), 1);
    assert.equal(count('method="GET",route="unmatched",status_code="404"'), 1);
    assert.ok(![...m.keys()].some((key) => key.includes('job-task-000000000000') || key.includes('/no/such')));
  });

  it('/healthz and /readyz answer without a token', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.deepEqual([health.status, await health.json()], [200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/readyz`);
    assert.deepEqual([ready.status, await ready.json()], [200, { status: 'ready' }]);
  });
});
