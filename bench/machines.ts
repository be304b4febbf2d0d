/**
 * Many machines, simulated: each `costsync worker` runs in a network namespace of its own (its
 * own interface and address, as on another host), created here (needs root and `ip`), and
 * reaches the one PostgreSQL server over a veth link through a relay on the host side of it.
 *
 *   sudo npm run bench:machines
 *   BENCH_ROWS_PER_DAY=1000 npm run bench:machines   # lighter
 *
 * - Throughput: one sync of 1,000,060 synthetic rows (10 tasks) by 1, 2 and 4 worker
 *   machines, 2 tasks each; the baseline is the 1-machine run.
 * - A link cut: two machines, and once the first has written rows its link goes down (traffic
 *   dropped, the process untouched). Its tasks are taken over by the other machine once their
 *   leases run out (COSTSYNC_TASK_LEASE_S=5 here); the link comes back after the job ended, and
 *   whatever the cut machine still sends is fenced. The rows must equal the 1-machine run's.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openApp } from '../src/app/open-app.js';
import { silentLogger } from '../src/app/logger.js';
import { loadConfig } from '../src/config/config.js';
import { newId } from '../src/domain/ids.js';
import type { DataSourceRow } from '../src/store/rows.js';
import { createBenchDatabase } from './bench-database.js';
import { ACCOUNTS, MONTH, ROWS_PER_DAY } from './ingest-phases.js';
import { startRelay, type Relay } from './relay.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const OPTIONS = { accounts: ACCOUNTS, months: 1, start_month: MONTH, rows_per_day: ROWS_PER_DAY, page_size: 1000, seed: 42 };
const LEASE_S = 5;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A simulated machine: namespace `cs-m<n>`, host side 10.231.<n>.1, machine side 10.231.<n>.2. */
interface Machine {
  readonly name: string;
  readonly hostAddress: string;
  readonly link: string;
  relay?: Relay;
  worker?: ChildProcess;
}

function createMachine(n: number): Machine {
  const name = `cs-m${n}`;
  const link = `cs-m${n}-h`;
  removeMachine(name, link);
  ip('netns', 'add', name);
  ip('link', 'add', link, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
  ip('addr', 'add', `10.231.${n}.1/24`, 'dev', link);
  ip('link', 'set', link, 'up');
  ip('-n', name, 'addr', 'add', `10.231.${n}.2/24`, 'dev', 'eth0');
  ip('-n', name, 'link', 'set', 'eth0', 'up');
  ip('-n', name, 'link', 'set', 'lo', 'up');
  return { name, link, hostAddress: `10.231.${n}.1` };
}

function removeMachine(name: string, link: string): void {
  try {
    ip('link', 'del', link);
  } catch {}
  try {
    ip('netns', 'del', name);
  } catch {}
}

/** `costsync worker` inside the machine's namespace, reaching the database through its link. */
async function startWorker(machine: Machine, databaseUrl: string): Promise<void> {
  const server = new URL(databaseUrl);
  machine.relay = await startRelay(machine.hostAddress, '127.0.0.1', Number(server.port || 5432));
  const url = new URL(databaseUrl);
  url.hostname = machine.hostAddress;
  url.port = String(machine.relay.port);
  machine.worker = spawn('ip', ['netns', 'exec', machine.name, process.execPath, CLI, 'worker'], {
    env: {
      ...process.env,
      COSTSYNC_DATABASE_URL: url.toString(),
      COSTSYNC_WORKER_CONCURRENCY: '2',
      COSTSYNC_TASK_LEASE_S: String(LEASE_S),
      COSTSYNC_SCHEDULER: '0',
      COSTSYNC_LOG_LEVEL: 'error',
      COSTSYNC_WORKER_NICE: '0',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopMachine(machine: Machine): Promise<void> {
  machine.worker?.kill('SIGKILL');
  await machine.relay?.close();
  removeMachine(machine.name, machine.link);
}

interface Outcome {
  readonly rows: number;
  readonly cost: string;
  readonly seconds: number;
  readonly takenOver: number;
}

/** One sync by `count` worker machines; `cut` (ms after the first rows) takes machine 1's link down until the job ends. */
async function run(count: number, cut: boolean): Promise<Outcome> {
  const database = await createBenchDatabase();
  const machines: Machine[] = [];
  const env = { COSTSYNC_DATABASE_URL: database.url, COSTSYNC_SCHEDULER: '0', COSTSYNC_DEMO: '0', COSTSYNC_TASK_LEASE_S: String(LEASE_S) };
  const ctx = await openApp(loadConfig({ ...env, COSTSYNC_WORKER_CONCURRENCY: '0' }), { log: silentLogger });
  try {
    for (let n = 1; n <= count; n++) machines.push(createMachine(n));
    for (const machine of machines) await startWorker(machine, database.url);
    const [dataSource] = await ctx.db.query<DataSourceRow>(
      `INSERT INTO data_source (data_source_id, name, data_source_type, plugin_info, resource_group, workspace_id, domain_id)
       VALUES ($1, 'machines', 'EXTERNAL', $2, 'DOMAIN', '*', 'domain-bench') RETURNING *`,
      [newId('dataSource'), JSON.stringify({ plugin_id: 'synthetic', options: OPTIONS, metadata: {} })],
    );
    ctx.engine.start(); // the reaper only: this process has no workers
    const started = performance.now();
    const job = await ctx.engine.sync(dataSource, { syncMode: 'MANUAL' });
    if (cut) {
      for (;;) {
        const [{ n }] = await ctx.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM job_task WHERE job_id = $1 AND lease_owner LIKE '%' AND created_count > 0`,
          [job.job_id],
        );
        if (n > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      ip('link', 'set', machines[0].link, 'down');
      process.stderr.write(`  machine 1's link is down\n`);
    }
    const done = await ctx.engine.waitForJob(job.job_id, { timeoutMs: 600_000 });
    const seconds = (performance.now() - started) / 1000;
    if (cut) {
      ip('link', 'set', machines[0].link, 'up');
      await new Promise((resolve) => setTimeout(resolve, 3 * LEASE_S * 1000)); // what it still sends arrives, and is fenced
    }
    if (done.status !== 'SUCCESS') throw new Error(`the job ended ${done.status}: ${done.error_message}`);
    const [published] = await ctx.db.query<{ rows: number; cost: string; taken: number }>(
      `SELECT count(*)::int AS rows, sum(cost::text::numeric)::text AS cost,
              (SELECT count(*)::int FROM job_task WHERE job_id = $1 AND attempt > 1) AS taken
         FROM published_cost`,
      [job.job_id],
    );
    return { rows: published.rows, cost: published.cost, seconds, takenOver: published.taken };
  } finally {
    await ctx.engine.stop();
    await ctx.close();
    for (const machine of machines) await stopMachine(machine);
    await database.drop();
  }
}

const lines: string[] = [];
const one = await run(1, false);
for (const count of [1, 2, 4]) {
  const outcome = count === 1 ? one : await run(count, false);
  const rate = outcome.rows / outcome.seconds;
  lines.push(
    `| ${count} | ${outcome.rows.toLocaleString('en-US')} | ${Math.round(rate).toLocaleString('en-US')} | ${((one.seconds / outcome.seconds) * 1).toFixed(2)}× | ${outcome.cost === one.cost ? 'same as 1' : 'DIFFERENT'} |`,
  );
  process.stderr.write(`${lines[lines.length - 1]}\n`);
}
const cut = await run(2, true);
process.stdout.write(
  [
    '| worker machines | rows | rows/s | speed-up | sum |',
    '|---:|---:|---:|---:|---|',
    ...lines,
    '',
    `link of machine 1 cut mid-task (2 machines): SUCCESS in ${cut.seconds.toFixed(1)} s, ${cut.takenOver} task(s) taken over, ` +
      `${cut.rows.toLocaleString('en-US')} rows, sum ${cut.cost === one.cost && cut.rows === one.rows ? 'exact (same as 1 machine)' : 'NOT EXACT'}`,
  ].join('\n') + '\n',
);
if (cut.cost !== one.cost || cut.rows !== one.rows) process.exitCode = 1;
