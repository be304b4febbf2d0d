/**
 * Ingest benchmark: a sync of ≥ 1,000,000 synthetic cost rows through the whole engine
 * (plugin stream → row checks → COPY text → fenced batch writes → atomic close), beside two
 * raw COPYs of the same rows measured in the same run on each backend: into a table of the same
 * columns without indexes (the limit), and into `cost` itself.
 *
 *   npm run bench                      # both backends
 *   npm run bench -- --backend=pglite  # one
 *   BENCH_ROWS_PER_DAY=1000 npm run bench   # smaller (≈ 300 k rows)
 *
 * Each phase runs in its own process so that its peak RSS is its own. An embedded data
 * directory is created (initdb) in a process of its own first: that happens once per
 * installation, and the figures are for the running service.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initDataDir, runPhase, type Phase, type PhaseResult } from './ingest-phases.js';

const BACKENDS = ['pglite', 'postgres'] as const;
type Backend = (typeof BACKENDS)[number];

function arg(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function main() {
  const phase = arg('phase');
  if (phase === 'init') return initDataDir(arg('dir')!);
  if (phase) {
    const result = await runPhase(phase as Phase, arg('backend') as Backend, arg('dir')!);
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const chosen = arg('backend') ? [arg('backend') as Backend] : [...BACKENDS];
  const lines: string[] = [];
  for (const backend of chosen) {
    const bare = child('copy-bare', backend);
    const copy = child('copy', backend);
    const engine = child('engine', backend);
    const grpc = child('grpc', backend);
    const pct = (a: PhaseResult, b: PhaseResult) => `${((a.rowsPerSecond / b.rowsPerSecond) * 100).toFixed(0)}%`;
    lines.push(
      `| ${backend} | ${engine.rows.toLocaleString('en-US')} | ${fmt(bare.rowsPerSecond)} | ${fmt(copy.rowsPerSecond)} | ` +
        `${fmt(engine.rowsPerSecond)} | ${pct(engine, bare)} | ${pct(engine, copy)} | ` +
        `${fmt(grpc.rowsPerSecond)} | ${pct(grpc, bare)} | ${pct(grpc, copy)} | ` +
        `${mb(bare.peakRss)} | ${mb(engine.peakRss)} | ${mb(grpc.peakRss)} |`,
    );
  }
  const header = [
    '| backend | rows | COPY, no index rows/s | COPY into cost rows/s | costsync sync rows/s | ratio to no index | ratio to cost | sync, gRPC plugin rows/s | gRPC to no index | gRPC to cost | COPY peak RSS | sync peak RSS | gRPC sync peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  process.stdout.write([...header, ...lines].join('\n') + '\n');
  process.stdout.write(
    'raw COPY: one stream on PGlite, one per worker on PostgreSQL; costsync: the default 2 workers, 5,000-row fenced batches; gRPC: the same plugin in its own process (costsync plugin serve)\n',
  );
}

function child(phase: Phase, backend: Backend): PhaseResult {
  const dir = mkdtempSync(join(tmpdir(), `costsync-bench-${backend}-${phase}-`));
  try {
    const self = fileURLToPath(import.meta.url);
    // The first open of a new embedded data directory runs initdb; do that in its own process.
    if (backend === 'pglite') spawnSync(process.execPath, [self, '--phase=init', `--dir=${dir}`], { stdio: 'inherit' });
    const run = spawnSync(process.execPath, ['--expose-gc', self, `--phase=${phase}`, `--backend=${backend}`, `--dir=${dir}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: process.env,
    });
    if (run.status !== 0) throw new Error(`${phase} on ${backend} failed (exit ${run.status})`);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as PhaseResult;
    process.stderr.write(`${backend} ${phase}: ${result.rows} rows in ${result.seconds.toFixed(2)} s, peak RSS ${mb(result.peakRss)}\n`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

await main();
