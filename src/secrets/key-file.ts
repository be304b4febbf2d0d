import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A random key kept in `<dataDir>/<name>` (hex, mode 0600), created on first use. Two
 * processes starting together agree on one key: creation uses O_EXCL and the loser reads
 * what the winner wrote.
 */
export function readOrCreateKey(dataDir: string, name: string, bytes = 32): Buffer {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, name);
  try {
    writeFileSync(path, randomBytes(bytes).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return parseKey(path, bytes);
}

/** The key in `<dataDir>/<name>` if there is one; nothing is created. */
export function readKey(dataDir: string, name: string, bytes = 32): Buffer | undefined {
  const path = join(dataDir, name);
  return existsSync(path) ? parseKey(path, bytes) : undefined;
}

function parseKey(path: string, bytes: number): Buffer {
  const hex = readFileSync(path, 'utf8').trim();
  if (!/^[0-9a-f]+$/i.test(hex) || hex.length !== bytes * 2) {
    throw new Error(`${path} is not a ${bytes}-byte hex key; delete it to have a new one made`);
  }
  return Buffer.from(hex, 'hex');
}
