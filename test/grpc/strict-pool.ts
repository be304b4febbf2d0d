import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reflectionClient } from './reflection-client.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const PROTO_DIR = join(HERE, '../../proto');
const PYTHON = '/usr/bin/python3';
const SCRIPT = join(HERE, 'strict_pool.py');

/** Runs the strict-pool check (Debian's python3-protobuf, as the upstream client uses). */
export function strictPool(services: Record<string, string[]>): { ok: string[]; errors: string[] } {
  const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ services }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, `strict_pool.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim());
}

/** Every listed service's descriptors, as the upstream client fetches them. */
export async function reflectAll(address: string, version: 'v1alpha' | 'v1' = 'v1alpha') {
  const client = reflectionClient(address, version);
  try {
    const names = await client.listServices();
    const services: Record<string, string[]> = {};
    for (const name of names) services[name] = await client.fileContainingSymbol(name);
    return { names, services };
  } finally {
    client.close();
  }
}
