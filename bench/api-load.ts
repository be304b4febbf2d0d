/**
 * API under load, on PostgreSQL: an open-loop load of 200 requests/s (Job.list, JobTask.list,
 * Cost.stat in turn, over loopback) against `costsync serve`, while `costsync worker` — another
 * process on the same database, as a deployment runs them — syncs 1,000,200 rows; the baseline
 * is the same load in the same run with no sync running. Latency is measured from the moment a
 * request was due, so a stalled server counts its queue (no coordinated omission). After the
 * sync: its rows are exact (count and sum beside the first sync's), so load changed nothing.
 *
 *   npm run bench:api
 *   BENCH_RATE=100 BENCH_ROWS_PER_DAY=1000 npm run bench:api   # lighter
 *
 * Before the load: one sync of the same data (the rows Cost.stat reads, from the monthly
 * rollup) and 20,000 finished jobs of history (what Job.list pages through).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { daysInMonth } from '../src/domain/time.js';
import { createBenchDatabase } from './bench-database.js';
import { ACCOUNTS, MONTH } from './ingest-phases.js';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const BASELINE_S = Number(process.env.BENCH_BASELINE_S ?? 20);
const ROWS_PER_DAY = Number(process.env.BENCH_ROWS_PER_DAY ?? Math.ceil(1_000_000 / (ACCOUNTS * daysInMonth(MONTH))));
const DOMAIN = 'domain-load0000000';
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const OPTIONS = { accounts: ACCOUNTS, months: 1, start_month: MONTH, rows_per_day: ROWS_PER_DAY, page_size: 1000, seed: 42 };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(port: number, token: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

interface Target {
  readonly name: string;
  readonly path: string;
  body(): unknown;
}

/** Sends `rate` requests a second for `seconds` (or until `until` resolves), each due on its own tick. */
async function load(port: number, token: string, targets: readonly Target[], seconds: number, until?: Promise<unknown>) {
  const latencies = new Map(targets.map((t) => [t.name, [] as number[]]));
  let errors = 0;
  let stop = false;
  void until?.then(() => {
    stop = true;
  });
  const pending: Promise<void>[] = [];
  const start = performance.now();
  const interval = 1000 / RATE;
  for (let i = 0; !stop && i < seconds * RATE; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const target = targets[i % targets.length];
    pending.push(
      post(port, token, target.path, target.body()).then(
        (res) => {
          if (res.status !== 200 && errors++ === 0) process.stderr.write(`${target.name}: ${res.status} ${JSON.stringify(res.body)}\n`);
          latencies.get(target.name)!.push(performance.now() - due);
        },
        () => {
          errors++;
        },
      ),
    );
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  return { latencies, errors, sent: pending.length, elapsed };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

function start(command: 'serve' | 'worker', env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, [CLI, command], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (code !== null && code !== 0) process.stderr.write(`costsync ${command} exited ${code ?? signal}\n`);
  });
  return child;
}

async function until<T>(what: string, deadlineMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting ${deadlineMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const database = await createBenchDatabase();
  const port = await freePort();
  const env = {
    ...process.env,
    COSTSYNC_DATABASE_URL: database.url,
    COSTSYNC_HTTP_PORT: String(port),
    COSTSYNC_GRPC_PORT: String(await freePort()),
    COSTSYNC_TOKEN_SECRET: randomBytes(32).toString('hex'),
    COSTSYNC_SECRET_KEY: randomBytes(32).toString('hex'),
    COSTSYNC_DEMO: '0',
    COSTSYNC_SCHEDULER: '0',
    COSTSYNC_LOG_LEVEL: 'warn',
  };
  const token = spawnSync(process.execPath, [CLI, 'token', '--domain', DOMAIN, '--role', 'DOMAIN_ADMIN', '--ttl', '2h'], { env })
    .stdout.toString()
    .trim();
  const children = [
    start('serve', { ...env, COSTSYNC_WORKER_CONCURRENCY: '0' }),
    start('worker', { ...env, COSTSYNC_WORKER_CONCURRENCY: '2' }),
  ];
  try {
    await until('the API', 30_000, async () =>
      (await post(port, token, '/cost-analysis/v1/job/list', {})).status === 200 ? true : undefined,
    );
    const registered = await post(port, token, '/cost-analysis/v1/data-source/register', {
      name: 'load',
      plugin_info: { plugin_id: 'synthetic', options: OPTIONS },
    });
    const dataSourceId = registered.body.data_source_id as string;
    const sync = async () => {
      const started = await post(port, token, '/cost-analysis/v1/data-source/sync', { data_source_id: dataSourceId });
      return started.body.job_id as string;
    };
    const finished = (jobId: string) =>
      until(`job ${jobId} to end`, 600_000, async () => {
        const job = (await post(port, token, '/cost-analysis/v1/job/get', { job_id: jobId })).body;
        return job.status === 'IN_PROGRESS' ? undefined : job;
      });
    const published = async () => {
      const stat = await post(port, token, '/cost-analysis/v1/cost/stat', {
        data_source_id: dataSourceId,
        query: {
          aggregate: [
            {
              group: {
                keys: [],
                fields: [
                  { operator: 'count', name: 'rows' },
                  { key: 'cost', operator: 'sum', name: 'cost' },
                ],
              },
            },
          ],
        },
      });
      return (stat.body.results as { rows: number; cost: number }[])[0];
    };
    const first = await finished(await sync());
    if (first.status !== 'SUCCESS') throw new Error(`first sync ended ${first.status}`);
    const before = await published();
    await seedHistory(database.url, dataSourceId);

    let runningJob = first.job_id as string;
    const targets: Target[] = [
      {
        name: 'Job.list',
        path: '/cost-analysis/v1/job/list',
        body: () => ({ query: { sort: [{ key: 'created_at', desc: true }], page: { start: 1, limit: 50 } } }),
      },
      { name: 'JobTask.list', path: '/cost-analysis/v1/job-task/list', body: () => ({ job_id: runningJob }) },
      {
        name: 'Cost.stat',
        path: '/cost-analysis/v1/cost/stat',
        body: () => ({
          data_source_id: dataSourceId,
          query: {
            aggregate: [
              { group: { keys: [{ key: 'product', name: 'product' }], fields: [{ key: 'cost', operator: 'sum', name: 'cost' }] } },
              { sort: [{ key: 'cost', desc: true }] },
            ],
          },
        }),
      },
    ];
    const quiet = await load(port, token, targets, BASELINE_S);
    runningJob = await sync();
    const syncing = finished(runningJob);
    const busy = await load(port, token, targets, 600, syncing);
    const second = await syncing;
    const after = await published();
    const exact = second.status === 'SUCCESS' && after.rows === before.rows && after.cost === before.cost;
    report(quiet, busy, { exact, rows: after.rows, status: String(second.status) });
    if (!exact) process.exitCode = 1;
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    agent.destroy();
    await database.drop();
  }
}

/** 20,000 finished jobs with two tasks each, spread over the last months. */
async function seedHistory(url: string, dataSourceId: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(
    `INSERT INTO job (job_id, status, total_tasks, planned, deadline_at, resource_group, workspace_id, domain_id, data_source_id,
                      created_at, updated_at, finished_at)
     SELECT 'job-hist' || lpad(to_hex(i), 8, '0'), 'SUCCESS', 2, true, now(), 'DOMAIN', '*', $1, $2,
            now() - i * interval '5 minutes', now() - i * interval '5 minutes', now() - i * interval '5 minutes' + interval '1 minute'
       FROM generate_series(1, 20000) AS i`,
    [DOMAIN, dataSourceId],
  );
  await client.query(
    `INSERT INTO job_task (job_task_id, status, seq, resource_group, workspace_id, domain_id, job_id, data_source_id, created_at)
     SELECT replace(job_id, 'job-', 'task-') || n, 'SUCCESS', n, 'DOMAIN', '*', domain_id, job_id, data_source_id, created_at
       FROM job, generate_series(1, 2) AS n WHERE job_id LIKE 'job-hist%'`,
  );
  await client.query('VACUUM ANALYZE');
  await client.end();
}

type Measured = Awaited<ReturnType<typeof load>>;

function report(quiet: Measured, busy: Measured, sync: { exact: boolean; rows: number; status: string }) {
  const f = (n: number) => n.toFixed(1);
  const lines = ['| endpoint | no sync: p50 / p99 | sync running: p50 / p99 | p99 ratio |', '|---|---:|---:|---:|'];
  for (const [name, values] of busy.latencies) {
    const base = quiet.latencies.get(name)!;
    const [b99, s99] = [percentile(base, 99), percentile(values, 99)];
    lines.push(
      `| ${name} | ${f(percentile(base, 50))} / ${f(b99)} ms | ${f(percentile(values, 50))} / ${f(s99)} ms | ${(s99 / b99).toFixed(2)}× |`,
    );
  }
  const rate = (m: Measured) => `${(m.sent / m.elapsed).toFixed(0)} req/s for ${m.elapsed.toFixed(1)} s, ${m.errors} errors`;
  lines.push('', `no sync: ${rate(quiet)}; sync running: ${rate(busy)}`);
  lines.push(`sync under load: ${sync.status}, ${sync.rows.toLocaleString('en-US')} rows published, ${sync.exact ? 'exact' : 'NOT EXACT'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();
