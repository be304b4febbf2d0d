import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/package-root.js';
import type { Database } from './database.js';

const MIGRATIONS_DIR = join(packageRoot(), 'migrations');

/** Numbered plain-SQL files, `NNN_name.sql`, applied in order. */
export function listMigrations(): { version: number; name: string; sql: string }[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{3}_.+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file,
      sql: readFileSync(join(MIGRATIONS_DIR, file), 'utf8'),
    }));
}

const CREATE_LEDGER = `
  CREATE TABLE IF NOT EXISTS costsync_migration (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

/** Any 64-bit constant shared by every process that migrates this database. */
const MIGRATION_LOCK = 7_361_020_001;

/**
 * Brings the schema up to date. Safe when several processes start at once on one server:
 * an advisory lock serialises them, and each migration's ledger row is written in the same
 * transaction as the migration itself.
 */
export async function migrate(db: Database): Promise<number[]> {
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(CREATE_LEDGER);
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM costsync_migration')).map((r) => r.version));
    for (const migration of listMigrations()) {
      if (done.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO costsync_migration (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied.push(migration.version);
    }
  });
  return applied;
}

/**
 * Splits a migration file into statements at `;` line ends. Migrations are written one
 * statement per `;`-terminated block, without dollar-quoted bodies, so this is enough.
 */
function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}
