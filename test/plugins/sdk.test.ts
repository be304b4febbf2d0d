import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { status } from '@grpc/grpc-js';
import { makeGrpcPluginClient, type GrpcPluginClient } from '../../src/plugins/grpc/client.js';
import { decodeCostPage, encodeCostPage } from '../../src/wire/cost-page-codec.js';
import { toPluginError } from '../../src/plugins/grpc/plugin-errors.js';
import { messageCodec } from '../../src/wire/codec.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { PluginError, servePlugin, type CostInfo, type RunningPlugin } from '../../src/sdk/index.js';
import { reflectAll, strictPool } from '../grpc/strict-pool.js';
import { rawUnary } from '../grpc/raw-wire.js';
import { until } from '../helpers/wait.js';
import { startPluginProcess } from './plugin-process.js';

/** The SDK server and the plugin client against each other, in one process. */
describe('costsync/sdk server ⇄ gRPC plugin client', () => {
  const seen: Record<string, unknown>[] = [];
  let dataAborted: Promise<void> | undefined;
  let running: RunningPlugin;
  let client: GrpcPluginClient;

  before(async () => {
    running = await servePlugin(
      {
        async getTasks(request) {
          seen.push(request as unknown as Record<string, unknown>);
          if (request.options.hang) await new Promise((resolve) => setTimeout(resolve, 5_000));
          if (request.options.invalid) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = options.base_url)');
          return {
            tasks: [{ task_options: { n: 1 }, task_changed: { start: '2025-08', filter: { provider: 'aws' } } }],
            changed: [{ start: '1900-01' }],
          };
        },
        async *getData(request, signal) {
          yield [{ billed_date: '2025-08-01', cost: 0, tags: {}, additional_info: { a: 1 }, data: {} }];
          yield [];
          if (request.task_options.forever) {
            dataAborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
            await dataAborted;
          }
        },
      },
      { host: '127.0.0.1', port: 0 },
    );
    client = makeGrpcPluginClient(`grpc://127.0.0.1:${running.port}`, { unaryTimeoutMs: 1_000, unaryRetries: 0 });
  });
  after(async () => {
    client.close();
    await running.stop();
  });

  test('reflection lists the plugin, health and reflection services, and a strict pool loads them all', async () => {
    const { names, services } = await reflectAll(`127.0.0.1:${running.port}`);
    assert.deepEqual([...names].sort(), [
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'spaceone.api.core.v1.ServerInfo',
      'spaceone.api.cost_analysis.plugin.Cost',
      'spaceone.api.cost_analysis.plugin.DataSource',
      'spaceone.api.cost_analysis.plugin.Job',
    ]);
    const result = strictPool(services);
    assert.deepEqual(result.errors, []);
    assert.equal(result.ok.length, names.length);
  });

  test('init without an init(): default metadata; get_tasks: the request arrives whole, the answer comes back whole', async () => {
    assert.deepEqual((await client.init({ options: {}, domain_id: 'domain-1' })).metadata.currency, 'USD');
    const answer = await client.getTasks({ options: {}, secret_data: {}, start: '2025-08', domain_id: 'domain-1' });
    assert.deepEqual(answer.tasks, [{ task_options: { n: 1 }, task_changed: { start: '2025-08', filter: { provider: 'aws' } } }]);
    assert.deepEqual(answer.changed, [{ start: '1900-01' }]);
    assert.deepEqual(seen.at(-1), { options: {}, secret_data: {}, start: '2025-08', domain_id: 'domain-1' });
  });

  test('get_data: pages as sent (empty ones included), a cost of 0 arriving absent', async () => {
    const pages: CostInfo[][] = [];
    for await (const page of client.getData(
      { options: {}, secret_data: {}, task_options: {}, domain_id: 'd' },
      new AbortController().signal,
    )) {
      pages.push(page);
    }
    assert.deepEqual(pages, [[{ billed_date: '2025-08-01', tags: {}, additional_info: { a: 1 }, data: {} }], []]);
  });

  test('a plugin ERROR_* arrives as that code and message; a deadline as a transient ERROR_REQUEST_TIMEOUT', async () => {
    const invalid = await client.getTasks({ options: { invalid: true }, secret_data: {}, domain_id: 'd' }).catch((e) => e);
    assert.ok(invalid instanceof PluginError);
    assert.equal(invalid.code, 'ERROR_REQUIRED_PARAMETER');
    assert.equal(invalid.message, 'Required parameter. (key = options.base_url)');
    assert.equal(invalid.transient, false);
    const late = await client.getTasks({ options: { hang: true }, secret_data: {}, domain_id: 'd' }).catch((e) => e);
    assert.equal(late.code, 'ERROR_REQUEST_TIMEOUT');
    assert.equal(late.transient, true);
  });

  test('aborting get_data cancels the call and the plugin sees its signal abort', async () => {
    const controller = new AbortController();
    const iterator = client
      .getData({ options: {}, secret_data: {}, task_options: { forever: true }, domain_id: 'd' }, controller.signal)
      [Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    const third = iterator.next();
    await until('the plugin to start its third page', () => dataAborted !== undefined, 10_000);
    controller.abort(new Error('stop'));
    await assert.rejects(third, /stop/);
    await dataAborted;
  });
});

test('status details decode: "ERROR_X: msg" → code and trimmed message; UNAVAILABLE without a code is transient', () => {
  const coded = toPluginError({ code: status.INTERNAL, details: 'ERROR_UNKNOWN: HTTP Error 404: File not found' }, 'get_data');
  assert.deepEqual([coded.code, coded.message, coded.transient], ['ERROR_UNKNOWN', 'HTTP Error 404: File not found', false]);
  const down = toPluginError({ code: status.UNAVAILABLE, details: 'No connection established' }, 'get_tasks');
  assert.deepEqual([down.code, down.transient], ['ERROR_GRPC_CONNECTION', true]);
});

test('the cost-page codec writes the bytes the generic codec reads, and reads what it writes', () => {
  const rows: CostInfo[] = [
    {
      cost: 1.5,
      usage_quantity: 2,
      usage_unit: 'h',
      provider: 'aws',
      region_code: 'us-east-1',
      product: 'EC2',
      usage_type: 't3',
      resource: 'i-1',
      billed_date: '2025-08-01',
      tags: { env: 'prod', n: null },
      additional_info: { 'Account ID': '123', nested: { list: [1, 'a', true] } },
      data: { x: 0.5 },
    },
    { billed_date: '2025-08-02', cost: 0, tags: {}, additional_info: {}, data: {} },
  ];
  const generic = messageCodec(wireDescriptors().message('spaceone.api.cost_analysis.plugin.CostsInfo'));
  const expected = [rows[0], { billed_date: '2025-08-02', tags: {}, additional_info: {}, data: {} }];
  assert.deepEqual(generic.decode(encodeCostPage(rows)), { results: expected });
  assert.deepEqual(decodeCostPage(generic.encode({ results: rows })), expected);
});

describe('what upstream’s framework serves besides the plugin', () => {
  test('ServerInfo.get_version answers the plugin’s version; reflection and health list it', async () => {
    const running = await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 0, version: '1.4.2' });
    try {
      const { names } = await reflectAll(`127.0.0.1:${running.port}`);
      assert.ok(names.includes('spaceone.api.core.v1.ServerInfo'));
      const info = messageCodec(wireDescriptors().message('spaceone.api.core.v1.VersionInfo'));
      const answer = await rawUnary(`127.0.0.1:${running.port}`, '/spaceone.api.core.v1.ServerInfo/get_version', {}, 'NO_TOKEN');
      assert.deepEqual(info.decode(answer), { version: '1.4.2' });
    } finally {
      await running.stop();
    }
  });

  test('get_linked_accounts: a plugin without it answers as upstream’s framework does; one with it, its accounts', async () => {
    const without = await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 0 });
    const withIt = await servePlugin(
      {
        getTasks: async () => ({ tasks: [] }),
        async *getData() {},
        async getLinkedAccounts({ secret_data }) {
          return { results: [{ account_id: String(secret_data.org), name: 'management' }, { account_id: '222233334444' }] };
        },
      },
      { port: 0 },
    );
    const clients = [without, withIt].map((p) => makeGrpcPluginClient(`grpc://127.0.0.1:${p.port}`, { unaryRetries: 0 }));
    try {
      const request = { options: {}, secret_data: { org: '111122223333' }, domain_id: 'd' };
      const refused = await clients[0].getLinkedAccounts!(request).catch((e) => e);
      assert.deepEqual([refused.code, refused.message], ['ERROR_UNKNOWN', 'Method not implemented!']);
      assert.deepEqual(await clients[1].getLinkedAccounts!(request), {
        results: [{ account_id: '111122223333', name: 'management' }, { account_id: '222233334444' }],
      });
    } finally {
      for (const client of clients) client.close();
      await without.stop();
      await withIt.stop();
    }
  });

  test('costsync plugin serve listens on 127.0.0.1:50061 unless told otherwise (not all interfaces, not the API’s 50051)', async () => {
    const plugin = await startPluginProcess('test/fixtures/plugins/counting-plugin.ts', 0, []);
    try {
      assert.deepEqual([plugin.host, plugin.port], ['127.0.0.1', 50061]);
    } finally {
      await plugin.kill();
    }
  });
});
