import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { limitHeapGrowth } from '../src/app/heap.js';
import { openApp } from '../src/app/open-app.js';
import { createBenchDatabase } from './bench-database.js';
import { silentLogger } from '../src/app/logger.js';
import { loadConfig } from '../src/config/config.js';
import { newId } from '../src/domain/ids.js';
import { addMonths, daysInMonth, monthOf } from '../src/domain/time.js';
import { CostIds } from '../src/engine/cost-ids.js';
import { COST_COPY_COLUMNS, CostKeys, encodeCostRows } from '../src/engine/cost-rows.js';
import { makeSyntheticPlugin } from '../src/plugins/synthetic/plugin.js';
import { openStore } from '../src/store/open.js';
import type { DataSourceRow } from '../src/store/rows.js';

export interface PhaseResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRss: number;
}

export const ACCOUNTS = 10;
/** A whole month two months back: inside the default 12-month retention. */
export const MONTH = addMonths(monthOf(new Date()), -2);
export const ROWS_PER_DAY = Number(process.env.BENCH_ROWS_PER_DAY ?? Math.ceil(1_000_000 / (ACCOUNTS * daysInMonth(MONTH))));
const OPTIONS = { accounts: ACCOUNTS, months: 1, start_month: MONTH, rows_per_day: ROWS_PER_DAY, page_size: 1000, seed: 42 };
const COPY_BATCH_ROWS = 50_000;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Creates and migrates an embedded data directory, so that the measured phase reopens it (the steady state). */
export async function initDataDir(dir: string): Promise<void> {
  const db = await openStore({ dataDir: dir });
  await db.close();
}

export type Phase = 'engine' | 'copy' | 'copy-bare' | 'grpc';

export async function runPhase(phase: Phase, backend: 'pglite' | 'postgres', dir: string): Promise<PhaseResult> {
  const server = backend === 'postgres' ? await createBenchDatabase() : undefined;
  try {
    const measured =
      phase === 'engine'
        ? await engineIngest(dir, server?.url)
        : phase === 'grpc'
          ? await grpcIngest(dir, server?.url)
          : await rawCopy(dir, server?.url, phase === 'copy-bare');
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    process.stderr.write(`  at end: rss ${mb(m.rss)}, js heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)}, external ${mb(m.external)}\n`);
    // The kernel's high-water mark: exact, unlike sampling a busy event loop.
    return { ...measured, rowsPerSecond: measured.rows / measured.seconds, peakRss: process.resourceUsage().maxRSS * 1024 };
  } finally {
    await server?.drop();
  }
}

/**
 * A full sync through costsync: plan, workers, fenced writes, close. `plugin` defaults to the
 * synthetic plugin with this benchmark's options; `extraEnv` adds settings (e.g. file roots).
 */
export async function engineIngest(
  dir: string,
  databaseUrl?: string,
  pluginId = 'synthetic',
  options: Record<string, unknown> = OPTIONS,
  extraEnv: Record<string, string> = {},
): Promise<{ rows: number; seconds: number }> {
  // The gRPC plugin process listens on this machine, which plugins may reach only when allowed.
  const env: Record<string, string> = {
    COSTSYNC_DATA_DIR: dir,
    COSTSYNC_SCHEDULER: '0',
    COSTSYNC_DEMO: '0',
    COSTSYNC_ALLOW_HOSTS: '127.0.0.1',
    ...extraEnv,
  };
  if (databaseUrl) env.COSTSYNC_DATABASE_URL = databaseUrl;
  const config = loadConfig(env);
  limitHeapGrowth(config.heapGrowthPercent); // as `costsync serve` and `costsync worker` do
  const ctx = await openApp(config, { log: silentLogger });
  try {
    const [dataSource] = await ctx.db.query<DataSourceRow>(
      `INSERT INTO data_source (data_source_id, name, data_source_type, plugin_info, schedule_hour, resource_group, workspace_id, domain_id)
       VALUES ($1, 'bench', 'EXTERNAL', $2, 16, 'DOMAIN', '*', 'domain-bench') RETURNING *`,
      [newId('dataSource'), JSON.stringify({ plugin_id: pluginId, options, metadata: {} })],
    );
    ctx.engine.start();
    const started = performance.now();
    const job = await ctx.engine.sync(dataSource, { syncMode: 'MANUAL' });
    const done = await ctx.engine.waitForJob(job.job_id);
    const seconds = (performance.now() - started) / 1000;
    if (done.status !== 'SUCCESS') throw new Error(`bench job ended ${done.status}: ${done.error_message}`);
    const [{ n }] = await ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM published_cost');
    await ctx.engine.stop();
    return { rows: n, seconds };
  } finally {
    await ctx.db.close();
  }
}

/**
 * The same sync with the synthetic plugin in its own process, served by `costsync plugin
 * serve` (costsync/sdk) and reached over gRPC on localhost: protobuf both ways, HTTP/2 flow
 * control, the plugin's CPU outside this process.
 */
async function grpcIngest(dir: string, databaseUrl?: string): Promise<{ rows: number; seconds: number }> {
  const ts = import.meta.url.endsWith('.ts');
  const cli = fileURLToPath(new URL(`../src/cli/main.${ts ? 'ts' : 'js'}`, import.meta.url));
  const module = fileURLToPath(new URL(`./grpc-plugin.${ts ? 'ts' : 'js'}`, import.meta.url));
  const child = spawn(
    process.execPath,
    [...process.execArgv.filter((a) => a !== '--expose-gc'), cli, 'plugin', 'serve', module, '--host', '127.0.0.1', '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        const match = /listening on [^:]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.once('exit', (code) => reject(new Error(`gRPC plugin exited (${code}) before listening`)));
    });
    return await engineIngest(dir, databaseUrl, `grpc://127.0.0.1:${port}`);
  } finally {
    child.kill('SIGKILL');
  }
}

/**
 * The baselines: the same rows, encoded beforehand into COPY-text files of 50,000 rows, then
 * copied — one stream on PGlite (one connection), as many parallel streams as the engine has
 * workers on the server. Only the copying is timed. `bare`: into a table of the same columns
 * without any index (the limit of getting rows into the database); otherwise into `cost`
 * itself, its keys maintained row by row.
 */
async function rawCopy(dir: string, databaseUrl: string | undefined, bare: boolean): Promise<{ rows: number; seconds: number }> {
  const files = await encodeBatchFiles(dir);
  const db = await openStore({ dataDir: dir, databaseUrl });
  const table = bare ? 'cost_bare' : 'cost';
  if (bare) await db.query('CREATE TABLE cost_bare (LIKE cost)');
  try {
    const streams = databaseUrl ? loadConfig({}).engine.concurrency : 1;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: streams }, async () => {
        while (next < files.length) {
          const text = readFileSync(files[next++], 'utf8');
          await db.transaction((tx) => tx.copyFrom(table, COST_COPY_COLUMNS, text));
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    return { rows: n, seconds };
  } finally {
    await db.close();
  }
}

/** Writes the synthetic rows as COPY text, 50,000 rows a file; returns the file names. */
async function encodeBatchFiles(dir: string): Promise<string[]> {
  const plugin = makeSyntheticPlugin();
  const plan = await plugin.getTasks({ options: OPTIONS, secret_data: {}, domain_id: 'domain-bench' });
  const files: string[] = [];
  let lines: string[] = [];
  let total = 0;
  let block = 0;
  const ids = new CostIds(async () => ++block);
  const flush = () => {
    const file = join(dir, `batch-${String(files.length).padStart(4, '0')}.copy`);
    writeFileSync(file, lines.join('\n') + '\n');
    files.push(file);
    lines = [];
  };
  for (const task of plan.tasks) {
    const stamp = {
      dataSourceId: 'ds-000000000000',
      jobId: 'job-000000000000',
      jobTaskId: newId('jobTask'),
      workspaceId: null,
      domainId: 'domain-bench',
    };
    const request = { options: OPTIONS, secret_data: {}, task_options: task.task_options, domain_id: 'domain-bench' };
    for await (const page of plugin.getData(request, new AbortController().signal)) {
      await ids.reserve(page.length);
      total += encodeCostRows(page, ids.take(page.length), stamp, new CostKeys(), total + 1, lines);
      if (lines.length >= COPY_BATCH_ROWS) flush();
    }
  }
  if (lines.length) flush();
  return files;
}
