import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startGrpcServer, type RunningGrpcServer } from '../../src/api/grpc/server.js';
import { openTestApp, type TestApp } from '../api/harness.js';
import { loadUpstreamWire, protoFilesOf } from './conformance.js';

/**
 * A client that knows only upstream's protos (written in the test from proto/upstream/wire.json,
 * loaded by @grpc/proto-loader) calls costsync's gRPC API and gets what REST answers.
 */
const OPTIONS = { accounts: 2, months: 2, start_month: '2025-04', rows_per_day: 3, seed: 11 };

type Client = Record<
  string,
  (request: unknown, metadata: Metadata, options: object, done: (e: ServiceError | null, a: any) => void) => void
>;

/** google.protobuf.Struct / Value in proto-loader's object form → JSON. */
function fromValue(value: any): unknown {
  if ('structValue' in value) return fromStruct(value.structValue);
  if ('listValue' in value) return (value.listValue.values ?? []).map(fromValue);
  if ('numberValue' in value) return value.numberValue;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  return null;
}
function fromStruct(struct: any): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}

describe('a client built from upstream’s protos', () => {
  let t: TestApp;
  let server: RunningGrpcServer;
  let dir: string;
  let job: Client;
  let cost: Client;
  let token: string;
  let dataSourceId: string;
  const metadata = () => {
    const md = new Metadata();
    md.set('token', token);
    return md;
  };
  const call = (client: Client, method: string, request: unknown): Promise<any> =>
    new Promise((resolve, reject) =>
      client[method](request, metadata(), { deadline: Date.now() + 20_000 }, (error, answer) => (error ? reject(error) : resolve(answer))),
    );

  before(async () => {
    t = await openTestApp('pglite');
    t.ctx.engine.start();
    server = await startGrpcServer(t.ctx, 0);
    token = await t.token({ domainId: 'domain-upstream', role: 'DOMAIN_ADMIN' });

    dir = mkdtempSync(join(tmpdir(), 'costsync-upstream-protos-'));
    const files = protoFilesOf(loadUpstreamWire());
    for (const [name, text] of files) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const definition = loadSync([...files.keys()], { includeDirs: [dir, '/usr/include'], keepCase: true, enums: String, longs: Number });
    const v1 = (loadPackageDefinition(definition) as any).spaceone.api.cost_analysis.v1;
    job = new v1.Job(`127.0.0.1:${server.port}`, credentials.createInsecure());
    cost = new v1.Cost(`127.0.0.1:${server.port}`, credentials.createInsecure());

    const ds = await t.post('/cost-analysis/v1/data-source/register', token, {
      name: 'upstream client',
      plugin_info: { plugin_id: 'synthetic', options: OPTIONS },
    });
    assert.equal(ds.status, 200, ds.text);
    dataSourceId = ds.body.data_source_id;
    for (let i = 0; i < 2; i++) {
      const sync = await t.post('/cost-analysis/v1/data-source/sync', token, { data_source_id: dataSourceId });
      assert.equal(sync.status, 200, sync.text);
      assert.equal((await t.ctx.engine.waitForJob(sync.body.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
    }
  });
  after(async () => {
    (job as any)?.close();
    (cost as any)?.close();
    await server?.stop();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('Cost.list with data_source_id (field 2) and a billed_month filter (field 32)', async () => {
    const query = { page: { start: 3, limit: 4 }, sort: [{ key: 'cost_id' }] };
    const rest = await t.post('/cost-analysis/v1/cost/list', token, { data_source_id: dataSourceId, billed_month: '2025-04', query });
    assert.equal(rest.status, 200, rest.text);
    const answer = await call(cost, 'list', { data_source_id: dataSourceId, billed_month: '2025-04', query });
    assert.equal(answer.total_count, rest.body.total_count);
    assert.equal(answer.total_count, 2 * 30 * 3, 'April 2025 (not May) of two accounts, three rows a day');
    assert.deepEqual(
      answer.results.map((row: any) => [row.cost_id, row.cost, row.billed_date, row.data_source_id, fromStruct(row.tags)]),
      rest.body.results.map((row: any) => [row.cost_id, row.cost, row.billed_date, row.data_source_id, row.tags]),
    );
  });

  it('Job.stat with a conditional sum written with k, v and o', async () => {
    const field = (name: string, status: string, short: boolean) =>
      short
        ? { n: name, k: 'total_tasks', o: 'sum', conditions: [{ k: 'status', v: { stringValue: status }, o: 'eq' }] }
        : { name, key: 'total_tasks', operator: 'sum', conditions: [{ key: 'status', value: status, operator: 'eq' }] };
    const aggregate = (short: boolean) => [
      {
        group: {
          keys: [{ key: 'data_source_id', name: 'data_source_id' }],
          fields: [field('done', 'SUCCESS', short), field('failed', 'FAILURE', short)],
        },
      },
    ];
    const rest = await t.post('/cost-analysis/v1/job/stat', token, { query: { aggregate: aggregate(false) } });
    assert.equal(rest.status, 200, rest.text);
    const answer = fromStruct(await call(job, 'stat', { query: { aggregate: aggregate(true) } }));
    assert.deepEqual(answer, rest.body);
    assert.deepEqual(
      rest.body.results,
      [{ data_source_id: dataSourceId, done: 2 * 4, failed: 0 }],
      'two syncs of four tasks (2 accounts × 2 months), none failed',
    );
  });

  it('every REST path of upstream’s http annotations answers (none is 404)', async () => {
    const paths = Object.values(loadUpstreamWire().files).flatMap((file) =>
      Object.values(file.services).flatMap((methods) => methods.flatMap((m) => (m.http ? [m.http] : []))),
    );
    assert.equal(paths.length, 26);
    for (const { verb, path } of paths) {
      assert.equal(verb, 'POST');
      const answer = await t.post(path, token, {});
      assert.notEqual(answer.status, 404, `${path}: ${answer.text}`);
      assert.ok(answer.status < 500, `${path}: ${answer.status} ${answer.text}`);
    }
  });

  it('DataSource.remove_cache and preload_cache answer (there is no cache to keep)', async () => {
    const v1 = loadPackageDefinition(
      loadSync(['spaceone/api/cost_analysis/v1/data_source.proto'], { includeDirs: [dir, '/usr/include'], keepCase: true }),
    ) as any;
    const dataSource: Client = new v1.spaceone.api.cost_analysis.v1.DataSource(`127.0.0.1:${server.port}`, credentials.createInsecure());
    try {
      assert.deepEqual(await call(dataSource, 'remove_cache', { data_source_id: dataSourceId }), {});
      assert.deepEqual(await call(dataSource, 'preload_cache', { data_source_id: dataSourceId }), {});
      await assert.rejects(call(dataSource, 'remove_cache', { data_source_id: 'ds-missing' }), /ERROR_NOT_FOUND/);
    } finally {
      (dataSource as any).close();
    }
  });
});
