/**
 * Export benchmark: 1,000,000 FOCUS line items loaded through the `focus` plugin from a folder
 * of gzip CSV files and from the same rows as Parquet, beside a sync of the same number of
 * synthetic rows, in the same run on each backend. Each sync runs in its own process, so its
 * peak RSS is its own; planning (which reads every file once to find its months) is timed.
 *
 *   npm run bench:exports                      # both backends
 *   npm run bench:exports -- --backend=postgres
 *   BENCH_EXPORT_ROWS=200000 npm run bench:exports
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { daysInMonth } from '../src/domain/time.js';
import { createBenchDatabase } from './bench-database.js';
import { writeFocusExport } from './export-fixtures.js';
import { engineIngest, initDataDir, MONTH, type PhaseResult } from './ingest-phases.js';

const BACKENDS = ['pglite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];
const PHASES = ['synthetic', 'focus-csv-gz', 'focus-parquet'] as const;
type Phase = (typeof PHASES)[number];
const ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const FILES = 4;

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

async function phase(name: Phase, backend: Backend, dir: string, files: string): Promise<PhaseResult> {
  const server = backend === 'postgres' ? await createBenchDatabase() : undefined;
  try {
    const synthetic = name === 'synthetic';
    const base = pathToFileURL(join(files, name === 'focus-parquet' ? 'parquet' : 'csv')).href + '/';
    const measured = synthetic
      ? await engineIngest(dir, server?.url, 'synthetic', {
          accounts: 10,
          months: 1,
          start_month: MONTH,
          rows_per_day: Math.ceil(ROWS / (10 * daysInMonth(MONTH))),
          page_size: 1000,
          seed: 42,
        })
      : await engineIngest(dir, server?.url, 'focus', { base_url: [base] }, { COSTSYNC_ALLOW_FILE_ROOTS: files });
    return { ...measured, rowsPerSecond: measured.rows / measured.seconds, peakRss: process.resourceUsage().maxRSS * 1024 };
  } finally {
    await server?.drop();
  }
}

function child(name: Phase, backend: Backend, files: string): PhaseResult {
  const dir = mkdtempSync(join(tmpdir(), `costsync-bench-${backend}-${name}-`));
  try {
    const self = fileURLToPath(import.meta.url);
    if (backend === 'pglite') spawnSync(process.execPath, [self, '--phase=init', `--dir=${dir}`], { stdio: 'inherit' });
    const run = spawnSync(process.execPath, [self, `--phase=${name}`, `--backend=${backend}`, `--dir=${dir}`, `--files=${files}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (run.status !== 0) throw new Error(`${name} on ${backend} failed (exit ${run.status})`);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as PhaseResult;
    process.stderr.write(`${backend} ${name}: ${result.rows} rows in ${result.seconds.toFixed(2)} s, peak RSS ${mb(result.peakRss)}\n`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const name = arg('phase');
  if (name === 'init') return initDataDir(arg('dir')!);
  if (name) {
    const result = await phase(name as Phase, arg('backend') as Backend, arg('dir')!, arg('files')!);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const files = mkdtempSync(join(tmpdir(), 'costsync-bench-exports-'));
  try {
    // Synthetic rows: 10 accounts × days × rows_per_day ≈ ROWS; the export holds exactly ROWS.
    await writeFocusExport(files, MONTH, ROWS, FILES);
    const lines: string[] = [];
    for (const backend of arg('backend') ? [arg('backend') as Backend] : BACKENDS) {
      const [synthetic, csv, parquet] = PHASES.map((p) => child(p, backend, files));
      const ratio = (r: PhaseResult) => `${((r.rowsPerSecond / synthetic.rowsPerSecond) * 100).toFixed(0)}%`;
      lines.push(
        `| ${backend} | ${fmt(synthetic.rowsPerSecond)} | ${fmt(csv.rowsPerSecond)} | ${ratio(csv)} | ${fmt(parquet.rowsPerSecond)} | ${ratio(parquet)} | ` +
          `${mb(synthetic.peakRss)} | ${mb(csv.peakRss)} | ${mb(parquet.peakRss)} |`,
      );
    }
    process.stdout.write(
      [
        `| backend | synthetic sync rows/s | focus gzip CSV rows/s | ratio | focus Parquet rows/s | ratio | synthetic peak RSS | gzip CSV peak RSS | Parquet peak RSS |`,
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
        ...lines,
      ].join('\n') +
        `\n${ROWS.toLocaleString('en-US')} FOCUS rows in ${FILES} files (CSV gzip, Parquet snappy 100k-row groups); planning included\n`,
    );
  } finally {
    rmSync(files, { recursive: true, force: true });
  }
}

await main();
