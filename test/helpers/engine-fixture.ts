import { DEFAULT_ENGINE, type EngineConfig } from '../../src/config/config.js';
import { silentLogger } from '../../src/app/logger.js';
import { fixedClock, type Clock } from '../../src/domain/clock.js';
import { newId } from '../../src/domain/ids.js';
import { makeEngine } from '../../src/engine/engine.js';
import type { Engine } from '../../src/engine/types.js';
import type { PluginClient } from '../../src/plugins/plugin.js';
import { makePluginRegistry, type PluginRegistryOptions, type PluginResolver } from '../../src/plugins/registry.js';
import { makeSecretBox, type SecretBox } from '../../src/secrets/secret-box.js';
import type { Database } from '../../src/store/database.js';
import type { DataSourceRow } from '../../src/store/rows.js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

/**
 * The date engine tests run on unless they set their own: mid-month, long past, so that the
 * synthetic plugin's default window (the last `months` months, the current one to today) and
 * retention give the same rows on every day the suite runs. test/engine/calendar.test.ts runs
 * the date-sensitive paths on the awkward days.
 */
export const TEST_NOW = '2025-06-18T12:00:00.000Z';
export const testClock: Clock = fixedClock(TEST_NOW);

/** Engine timings short enough for tests. */
export const TEST_ENGINE: EngineConfig = {
  ...DEFAULT_ENGINE,
  workerId: 'test-worker',
  concurrency: 2,
  leaseMs: 3_000,
  heartbeatMs: 250,
  pollMs: 100,
  reapMs: 200,
  retryBackoffMs: 50,
  batchRows: 500,
  scheduler: false,
};

export interface EngineFixture {
  engine: Engine;
  secrets: SecretBox;
  plugins: PluginResolver;
}

/**
 * What plugins may reach in tests: the fixture files and this machine (test servers and plugin
 * processes listen on 127.0.0.1). The synthetic plugin's fault switches are on.
 */
export const TEST_ACCESS = { fileRoots: [join(import.meta.dirname, '../fixtures')], hosts: ['127.0.0.1', 'localhost'] };
export const TEST_ACCESS_ENV = {
  COSTSYNC_ALLOW_FILE_ROOTS: TEST_ACCESS.fileRoots.join(','),
  COSTSYNC_ALLOW_HOSTS: '127.0.0.1,localhost',
  COSTSYNC_SYNTHETIC_FAULTS: '1',
};

/** The plugin registry on the test clock, with `extra` plugins beside the built-in ones. */
export function testPlugins(extra: Record<string, PluginClient> = {}, options: PluginRegistryOptions = {}): PluginResolver {
  return makePluginRegistry(extra, { clock: testClock, access: TEST_ACCESS, syntheticFaults: true, ...options });
}

export function makeTestEngine(
  db: Database,
  overrides: Partial<EngineConfig> = {},
  plugins = testPlugins(),
  clock: Clock = testClock,
): EngineFixture {
  const secrets = makeSecretBox(randomBytes(32));
  const engine = makeEngine({ db, config: { ...TEST_ENGINE, ...overrides }, plugins, secrets, log: silentLogger, clock });
  return { engine, secrets, plugins };
}

/** A data source row inserted directly (the DataSource service has its own tests). */
export async function insertDataSource(
  db: Database,
  options: Record<string, unknown>,
  extra: { domainId?: string; workspaceId?: string; secretData?: Record<string, unknown>; secrets?: SecretBox; pluginId?: string } = {},
): Promise<DataSourceRow> {
  const workspace = extra.workspaceId ?? '*';
  const [row] = await db.query<DataSourceRow>(
    `INSERT INTO data_source (data_source_id, name, data_source_type, plugin_info, secret_data_encrypted, schedule_hour,
                              resource_group, workspace_id, domain_id)
     VALUES ($1, $2, 'EXTERNAL', $3, $4, 16, $5, $6, $7) RETURNING *`,
    [
      newId('dataSource'),
      `ds ${randomBytes(3).toString('hex')}`,
      JSON.stringify({ plugin_id: extra.pluginId ?? 'synthetic', options, metadata: {} }),
      extra.secretData && extra.secrets ? extra.secrets.seal(extra.secretData) : null,
      workspace === '*' ? 'DOMAIN' : 'WORKSPACE',
      workspace,
      extra.domainId ?? 'domain-test',
    ],
  );
  return row;
}

/** Rows a reader sees for a data source (only published jobs). */
export async function publishedCount(db: Database, dataSourceId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM published_cost WHERE data_source_id = $1', [dataSourceId]);
  return row.n;
}

/** All rows in the table for a data source, published or not. */
export async function storedCount(db: Database, dataSourceId: string): Promise<number> {
  const [row] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM cost WHERE data_source_id = $1', [dataSourceId]);
  return row.n;
}
