import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a fresh process loads while it runs `script` (an ES module body), recorded by a resolve hook in it. */
export const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');

export interface Loaded {
  /** Every module URL resolved. */
  readonly urls: string[];
  /** Our own source files, relative to the repository. */
  readonly ours: string[];
  /** npm packages, by name. */
  readonly packages: string[];
}

export function modulesLoadedBy(script: string): Loaded {
  const dir = mkdtempSync(join(tmpdir(), 'costsync-imports-'));
  const log = join(dir, 'imports.log');
  try {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '--import',
        pathToFileURL(join(ROOT, 'test/fixtures/import-graph/register.mjs')).href,
        '--input-type=module',
        '-e',
        script,
      ],
      { cwd: ROOT, env: { ...process.env, COSTSYNC_IMPORT_LOG: log }, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, run.stderr);
    const urls = [...new Set(readFileSync(log, 'utf8').trim().split('\n'))];
    const ours = urls
      .filter((url) => url.startsWith(pathToFileURL(join(ROOT, 'src')).href))
      .map((url) => relative(ROOT, fileURLToPath(url)));
    const packages = [...new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []))].sort();
    return { urls, ours, packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `import(…)` of a source file, for a probe script. */
export const importOf = (file: string) => `await import(${JSON.stringify(pathToFileURL(join(ROOT, file)).href)})`;
