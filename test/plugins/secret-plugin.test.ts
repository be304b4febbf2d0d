import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PluginError, servePlugin, type RunningPlugin } from '../../src/sdk/index.js';
import { errorOf, openTestApp, type TestApp } from '../api/harness.js';

/**
 * A gRPC plugin that needs a secret, as every SpaceONE cloud plugin does: register with
 * secret_data, verify-plugin, update-secret-data and a sync all reach it, with exactly the
 * fields upstream's service sends (spec §1.5) and `schema` unset.
 */
const GOOD = new Set(['key-1', 'key-2']);
const OPTIONS = { account: '123456789012' };

describe('a gRPC plugin that needs a secret', () => {
  let t: TestApp;
  let plugin: RunningPlugin;
  let token: string;
  const calls: { method: string; request: Record<string, unknown> }[] = [];
  const lastCall = (method: string) => calls.filter((c) => c.method === method).at(-1)?.request;
  const checkSecret = (secret: Record<string, unknown>) => {
    if (!GOOD.has(String(secret.api_key))) throw new PluginError('ERROR_AUTHENTICATION_FAILURE', 'api_key is not valid');
  };

  before(async () => {
    plugin = await servePlugin(
      {
        async init(request) {
          calls.push({ method: 'init', request: { ...request } });
          const routing = request.options.routing === true;
          return { metadata: { currency: 'USD', supported_secret_types: ['MANUAL'], data_source_rules: [], use_account_routing: routing } };
        },
        async verify(request) {
          calls.push({ method: 'verify', request: { ...request } });
          checkSecret(request.secret_data);
        },
        async getTasks(request) {
          calls.push({ method: 'get_tasks', request: { ...request } });
          checkSecret(request.secret_data);
          return { tasks: [{ task_options: { month: '2025-05' } }], changed: [{ start: '2025-05' }] };
        },
        async getLinkedAccounts(request) {
          calls.push({ method: 'get_linked_accounts', request: { ...request } });
          checkSecret(request.secret_data);
          return { results: [{ account_id: String(request.options.account), name: 'linked' }] };
        },
        async *getData(request) {
          calls.push({ method: 'get_data', request: { ...request } });
          checkSecret(request.secret_data);
          yield [
            { billed_date: '2025-05-01', cost: 12.5, provider: 'aws', additional_info: { 'Account ID': String(request.options.account) } },
          ];
        },
      },
      { host: '127.0.0.1', port: 0 },
    );
    t = await openTestApp('pglite');
    t.ctx.engine.start();
    token = await t.token({ domainId: 'domain-secret', role: 'DOMAIN_ADMIN' });
  });
  after(async () => {
    await t?.close();
    await plugin?.stop();
  });

  it('register, verify-plugin, update-secret-data and sync reach the plugin with the secret and no schema', async () => {
    const pluginId = `grpc://127.0.0.1:${plugin.port}`;
    const registered = await t.post('/cost-analysis/v1/data-source/register', token, {
      name: 'needs a secret',
      plugin_info: { plugin_id: pluginId, options: OPTIONS, secret_data: { api_key: 'key-1' } },
    });
    assert.equal(registered.status, 200, registered.text);
    const id = registered.body.data_source_id;
    assert.deepEqual(lastCall('verify'), { options: OPTIONS, secret_data: { api_key: 'key-1' }, domain_id: 'domain-secret' });
    assert.ok(!registered.text.includes('key-1'), 'the secret is never answered');

    const verified = await t.post('/cost-analysis/v1/data-source/verify-plugin', token, { data_source_id: id });
    assert.equal(verified.status, 200, verified.text);
    assert.deepEqual(lastCall('verify'), { options: OPTIONS, secret_data: { api_key: 'key-1' }, domain_id: 'domain-secret' });

    const refused = await t.post('/cost-analysis/v1/data-source/update-secret-data', token, {
      data_source_id: id,
      secret_data: { api_key: 'wrong' },
    });
    assert.equal(errorOf(refused).code, 'ERROR_PLUGIN', refused.text);
    assert.match(errorOf(refused).message, /ERROR_AUTHENTICATION_FAILURE: api_key is not valid/);
    assert.ok(!refused.text.includes('wrong'), 'the refused secret is not echoed');
    const stillOld = await t.post('/cost-analysis/v1/data-source/verify-plugin', token, { data_source_id: id });
    assert.equal(stillOld.status, 200, 'a refused secret leaves the stored one in place');
    assert.deepEqual(lastCall('verify')?.secret_data, { api_key: 'key-1' });
    const updated = await t.post('/cost-analysis/v1/data-source/update-secret-data', token, {
      data_source_id: id,
      secret_data: { api_key: 'key-2' },
    });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(lastCall('verify'), { options: OPTIONS, secret_data: { api_key: 'key-2' }, domain_id: 'domain-secret' });

    const sync = await t.post('/cost-analysis/v1/data-source/sync', token, { data_source_id: id });
    assert.equal(sync.status, 200, sync.text);
    const done = await t.ctx.engine.waitForJob(sync.body.job_id, { timeoutMs: 30_000 });
    assert.equal(done.status, 'SUCCESS', done.error_message ?? '');
    const withSecretType = { ...OPTIONS, secret_type: 'MANUAL' };
    assert.deepEqual(lastCall('get_tasks'), { options: withSecretType, secret_data: { api_key: 'key-2' }, domain_id: 'domain-secret' });
    assert.deepEqual(lastCall('get_data'), {
      options: withSecretType,
      secret_data: { api_key: 'key-2' },
      task_options: { month: '2025-05' },
      domain_id: 'domain-secret',
    });
    for (const call of calls) assert.ok(!('schema' in call.request) || call.request.schema === undefined, `${call.method} got a schema`);

    const costs = await t.post('/cost-analysis/v1/cost/list', token, { data_source_id: id });
    assert.deepEqual(
      costs.body.results.map((row: any) => [row.billed_date, row.cost, row.additional_info['Account ID']]),
      [['2025-05-01', 12.5, '123456789012']],
    );
  });

  it('account routing over gRPC: get_linked_accounts gets the secret, its accounts are kept and passed to get_tasks', async () => {
    const options = { ...OPTIONS, routing: true };
    const registered = await t.post('/cost-analysis/v1/data-source/register', token, {
      name: 'routed over grpc',
      plugin_info: { plugin_id: `grpc://127.0.0.1:${plugin.port}`, options, secret_data: { api_key: 'key-1' } },
    });
    assert.equal(registered.status, 200, registered.text);
    assert.deepEqual(lastCall('get_linked_accounts'), { options, secret_data: { api_key: 'key-1' }, domain_id: 'domain-secret' });
    const accounts = await t.post('/cost-analysis/v1/data-source-account/list', token, { data_source_id: registered.body.data_source_id });
    assert.deepEqual(
      accounts.body.results.map((a: any) => [a.account_id, a.name]),
      [['123456789012', 'linked']],
    );
    const sync = await t.post('/cost-analysis/v1/data-source/sync', token, { data_source_id: registered.body.data_source_id });
    assert.equal((await t.ctx.engine.waitForJob(sync.body.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
    assert.deepEqual(
      ((lastCall('get_tasks')?.linked_accounts ?? []) as any[]).map((a) => [a.account_id, a.name, a.is_sync]),
      [['123456789012', 'linked', false]],
    );
    const costs = await t.post('/cost-analysis/v1/cost/list', token, { data_source_id: registered.body.data_source_id });
    assert.deepEqual(
      costs.body.results.map((row: any) => row.account_id),
      ['123456789012'],
    );
  });
});
