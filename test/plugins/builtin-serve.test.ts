import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import { type GrpcPluginClient, makeGrpcPluginClient } from '../../src/plugins/grpc/client.js';
import type { CostInfo, PluginClient } from '../../src/plugins/plugin.js';
import { type PluginProcess, startPluginProcess } from './plugin-process.js';

/**
 * A built-in plugin served over the plugin protocol (`costsync plugin serve focus`), as the
 * upstream service would call it: the same tasks and rows as in process, and only the files
 * the operator allowed.
 */
const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');

describe('costsync plugin serve <built-in id>', () => {
  let dir: string;
  let served: PluginProcess;
  let client: GrpcPluginClient;
  const csv = (month: string, n: number) =>
    `ChargePeriodStart,BilledCost,BillingCurrency,SubAccountId,ServiceName\n${Array.from(
      { length: n },
      (_, i) => `${month}-${String(1 + (i % 28)).padStart(2, '0')}T00:00:00Z,${(i % 9) + 0.25},USD,acct-${i % 3},Compute`,
    ).join('\n')}\n`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-serve-'));
    writeFileSync(join(dir, 'a.csv.gz'), gzipSync(csv('2025-07', 1500) + csv('2025-08', 700).split('\n').slice(1).join('\n')));
    served = await startPluginProcess('focus', 0, undefined, { COSTSYNC_ALLOW_FILE_ROOTS: dir });
    client = makeGrpcPluginClient(served.url, { unaryRetries: 0 });
  });
  after(async () => {
    client?.close();
    await served?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  async function rows(plugin: PluginClient, options: Record<string, unknown>) {
    const plan = await plugin.getTasks({ options, secret_data: {}, domain_id: 'd' });
    const out: CostInfo[] = [];
    for (const task of plan.tasks) {
      for await (const page of plugin.getData(
        { options, secret_data: {}, task_options: task.task_options, domain_id: 'd' },
        new AbortController().signal,
      ))
        out.push(...page);
    }
    return { tasks: plan.tasks, rows: out };
  }

  test('answers with the same tasks and rows as the plugin in process', async () => {
    const options = { base_url: [`${pathToFileURL(dir).href}/`] };
    const remote = await rows(client, options);
    const local = await rows(makeFocusPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] })), options);
    assert.equal(remote.rows.length, 2200);
    assert.deepEqual(remote.tasks, local.tasks);
    assert.deepEqual(
      remote.rows.map((r) => [r.billed_date, r.cost, r.additional_info?.['Account ID']]),
      local.rows.map((r) => [r.billed_date, r.cost, r.additional_info?.['Account ID']]),
    );
    const { metadata } = await client.init({ options, domain_id: 'd' });
    assert.equal(metadata.currency, 'USD');
  });

  test('reads only what the operator allowed', async () => {
    await assert.rejects(
      client.getTasks({ options: { base_url: 'file:///etc/passwd' }, secret_data: {}, domain_id: 'd' }),
      (error: Error) => {
        assert.match(error.message, /outside the directories plugins may read/);
        return true;
      },
    );
  });

  test('an unknown id is refused, naming the built-in plugins', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'plugin', 'serve', 'no-such-plugin'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /"no-such-plugin" is not a built-in plugin \(synthetic, http-file, focus, aws-cur/);
  });
});
