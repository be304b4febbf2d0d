import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadSync } from '@grpc/proto-loader';
import { openGrpcTestApi, type GrpcTestApi } from './api-harness.js';
import { reflectionClient } from './reflection-client.js';
import { PROTO_DIR, reflectAll, strictPool } from './strict-pool.js';

describe('gRPC API reflection', () => {
  let api: GrpcTestApi;
  before(async () => {
    api = await openGrpcTestApi();
  });
  after(() => api.close());

  test('lists the API, health and reflection services', async () => {
    const { names } = await reflectAll(api.address);
    assert.deepEqual([...names].sort(), [
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
      'spaceone.api.cost_analysis.v1.Cost',
      'spaceone.api.cost_analysis.v1.DataSource',
      'spaceone.api.cost_analysis.v1.DataSourceAccount',
      'spaceone.api.cost_analysis.v1.Job',
      'spaceone.api.cost_analysis.v1.JobTask',
    ]);
  });

  for (const version of ['v1alpha', 'v1'] as const) {
    test(`${version}: every service's descriptors load into a strict descriptor pool`, async () => {
      const { names, services } = await reflectAll(api.address, version);
      const result = strictPool(services);
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.ok.sort(), [...names].sort());
    });
  }

  test('file_by_filename answers canonical names with dependencies; unknown symbols are NOT_FOUND', async () => {
    const client = reflectionClient(api.address);
    try {
      const byName = await client.ask({ file_by_filename: 'spaceone/api/cost_analysis/v1/job_task.proto' });
      const files = (byName.file_descriptor_response as any).file_descriptor_proto as string[];
      const names = files.map((blob) => fileName(Buffer.from(blob, 'base64')));
      assert.equal(names[0], 'spaceone/api/cost_analysis/v1/job_task.proto');
      for (const dependency of [
        'google/protobuf/struct.proto',
        'spaceone/api/core/v2/query.proto',
        'spaceone/api/cost_analysis/v1/job.proto',
      ]) {
        assert.ok(names.includes(dependency), `${dependency} missing from ${names}`);
      }
      const method = await client.fileContainingSymbol('spaceone.api.cost_analysis.v1.Job.cancel');
      assert.equal(fileName(Buffer.from(method[0], 'base64')), 'spaceone/api/cost_analysis/v1/job.proto');
      const missing = await client.ask({ file_containing_symbol: 'no.such.Service' });
      assert.equal((missing.error_response as any).error_code, 5);
    } finally {
      client.close();
    }
  });
});

test('the strict pool rejects the descriptors @grpc/proto-loader derives (what @grpc/reflection would serve)', () => {
  const definition = loadSync(['spaceone/api/cost_analysis/plugin/cost.proto'], {
    includeDirs: [PROTO_DIR, '/usr/include'],
    keepCase: true,
  });
  const getData = (definition['spaceone.api.cost_analysis.plugin.Cost'] as any).get_data;
  const blobs = (getData.requestType.fileDescriptorProtos as Buffer[]).map((b) => b.toString('base64'));
  const result = strictPool({ 'spaceone.api.cost_analysis.plugin.Cost': blobs });
  assert.deepEqual(result.ok, []);
  assert.match(result.errors[0], /google\.protobuf\.Struct" is not defined|map_entry/);
});

/** Field 1 of a FileDescriptorProto (its name), read straight from the bytes. */
function fileName(bytes: Buffer): string {
  assert.equal(bytes[0], 0x0a);
  const length = bytes[1];
  return bytes.subarray(2, 2 + length).toString('utf8');
}
