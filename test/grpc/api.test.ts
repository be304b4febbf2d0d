import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { addMonths, daysInMonth, monthOf } from '../../src/domain/time.js';
import { testClock } from '../helpers/engine-fixture.js';
import { openGrpcTestApi, type GrpcTestApi } from './api-harness.js';
import { rawUnary, readFields } from './raw-wire.js';

/**
 * The gRPC API through a generic client that knows nothing but our .proto files
 * (@grpc/proto-loader, its own protobuf implementation), plus wire-level checks of field
 * numbers and enum values against the spec tables (§2.2, §2.3).
 */
const PROTO_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../proto');
const definition = loadSync(
  [
    'spaceone/api/cost_analysis/v1/job.proto',
    'spaceone/api/cost_analysis/v1/job_task.proto',
    'spaceone/api/cost_analysis/v1/data_source.proto',
  ],
  { includeDirs: [PROTO_DIR, '/usr/include'], keepCase: true, enums: String, longs: Number, defaults: false, oneofs: true },
);
const v1 = (loadPackageDefinition(definition) as any).spaceone.api.cost_analysis.v1;

const MONTH = addMonths(monthOf(testClock()), -1);
const ROWS = daysInMonth(MONTH) * 2;

/** JSON → google.protobuf.Struct in proto-loader's object form. */
function struct(json: Record<string, unknown>): unknown {
  const value = (v: unknown): unknown => {
    if (v === null) return { nullValue: 'NULL_VALUE' };
    if (typeof v === 'number') return { numberValue: v };
    if (typeof v === 'string') return { stringValue: v };
    if (typeof v === 'boolean') return { boolValue: v };
    if (Array.isArray(v)) return { listValue: { values: v.map(value) } };
    return { structValue: struct(v as Record<string, unknown>) };
  };
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, value(v)])) };
}

describe('gRPC API with a generic client', () => {
  let api: GrpcTestApi;
  let clients: Record<'Job' | 'JobTask' | 'DataSource', any>;
  let metadata: Metadata;
  const call = (service: 'Job' | 'JobTask' | 'DataSource', method: string, request: unknown, md = metadata): Promise<any> =>
    new Promise((resolve, reject) =>
      clients[service][method](request, md, { deadline: Date.now() + 20_000 }, (error: ServiceError | null, answer: unknown) =>
        error ? reject(error) : resolve(answer),
      ),
    );
  const register = async (name: string, options: Record<string, unknown>) => {
    const info = await call('DataSource', 'register', {
      name,
      plugin_info: { plugin_id: 'synthetic', options: struct(options) },
      schedule: { state: 'ENABLED', hour: 16 },
    });
    return info.data_source_id as string;
  };

  before(async () => {
    api = await openGrpcTestApi();
    clients = {
      Job: new v1.Job(api.address, credentials.createInsecure()),
      JobTask: new v1.JobTask(api.address, credentials.createInsecure()),
      DataSource: new v1.DataSource(api.address, credentials.createInsecure()),
    };
    metadata = new Metadata();
    metadata.set('token', api.adminToken);
  });
  after(async () => {
    for (const client of Object.values(clients ?? {})) client.close();
    await api.close();
  });

  test('the .proto files number fields and enums as the spec tables do', () => {
    // Upstream's fields only: costsync's additions are numbered from 101 (proto/ADDITIONS.md).
    const fields = (type: string) =>
      Object.fromEntries(
        ((definition[`spaceone.api.cost_analysis.v1.${type}`] as any).type.field as any[])
          .filter((f) => f.number <= 100)
          .map((f) => [f.name, f.number]),
      );
    assert.deepEqual(fields('JobInfo'), {
      job_id: 1,
      status: 2,
      options: 3,
      error_code: 4,
      error_message: 5,
      total_tasks: 6,
      remained_tasks: 7,
      changed: 8,
      synced_accounts: 9,
      resource_group: 20,
      domain_id: 21,
      workspace_id: 22,
      data_source_id: 23,
      created_at: 31,
      updated_at: 32,
      finished_at: 33,
    });
    assert.deepEqual(fields('JobTaskInfo'), {
      job_task_id: 1,
      status: 2,
      options: 3,
      changed: 4,
      created_count: 5,
      error_code: 6,
      error_message: 7,
      resource_group: 20,
      domain_id: 21,
      workspace_id: 22,
      job_id: 23,
      data_source_id: 24,
      created_at: 31,
      started_at: 32,
      updated_at: 33,
      finished_at: 34,
    });
    assert.deepEqual(fields('JobQuery'), { query: 1, job_id: 2, status: 3, workspace_id: 21, data_source_id: 22 });
    assert.deepEqual(fields('JobTaskQuery'), { query: 1, job_task_id: 2, status: 3, workspace_id: 21, job_id: 22, data_source_id: 23 });
    assert.deepEqual(fields('SyncDataSourceRequest'), { data_source_id: 1, start: 2, no_preload_cache: 3 });
    const values = (type: string, enumName: string) => {
      const nested = ((definition[`spaceone.api.cost_analysis.v1.${type}`] as any).type.enumType as any[]).find((e) => e.name === enumName);
      return Object.fromEntries((nested.value as any[]).map((v) => [v.name, v.number]));
    };
    const jobStatus = { SCOPE_NONE: 0, IN_PROGRESS: 1, SUCCESS: 2, FAILURE: 3, TIMEOUT: 4, CANCELED: 5 };
    const taskStatus = { SCOPE_NONE: 0, PENDING: 1, IN_PROGRESS: 2, SUCCESS: 3, FAILURE: 4, TIMEOUT: 5, CANCELED: 6 };
    assert.deepEqual(values('JobInfo', 'Status'), jobStatus);
    assert.deepEqual(values('JobQuery', 'Status'), jobStatus);
    assert.deepEqual(values('JobTaskInfo', 'Status'), taskStatus);
    assert.deepEqual(values('JobTaskQuery', 'Status'), taskStatus);
    assert.deepEqual(values('JobInfo', 'ResourceGroup'), { RESOURCE_GROUP_NONE: 0, DOMAIN: 1, WORKSPACE: 2 });
  });

  test('DataSource.sync, Job.list, JobTask.list: a sync end to end, with wire-level field numbers', async () => {
    const dataSourceId = await register('grpc synthetic', { accounts: 1, months: 1, rows_per_day: 2 });
    const job = await call('DataSource', 'sync', { data_source_id: dataSourceId, start: MONTH });
    assert.match(job.job_id, /^job-[0-9a-f]{12}$/);
    assert.equal(job.status, 'IN_PROGRESS');
    assert.equal((await api.ctx.engine.waitForJob(job.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');

    const jobs = await call('Job', 'list', { data_source_id: dataSourceId, status: 'SUCCESS' });
    assert.equal(jobs.total_count, 1);
    assert.equal(jobs.results[0].job_id, job.job_id);
    assert.equal(jobs.results[0].resource_group, 'DOMAIN');
    assert.equal(jobs.results[0].options.fields.sync_mode.stringValue, 'MANUAL');

    const tasks = await call('JobTask', 'list', {
      job_id: job.job_id,
      query: { filter: [{ k: 'status', v: { stringValue: 'SUCCESS' }, o: 'eq' }] },
    });
    assert.equal(tasks.total_count, 1);
    assert.equal(tasks.results[0].created_count, ROWS);

    // The same answers as bytes: JobInfo.status SUCCESS is 2, JobTaskInfo.status SUCCESS is 3.
    const jobBytes = readFields(
      await rawUnary(api.address, '/spaceone.api.cost_analysis.v1.Job/get', { job_id: job.job_id }, api.adminToken),
    );
    assert.equal(jobBytes.get(1)?.[0], job.job_id);
    assert.equal(jobBytes.get(2)?.[0], 2);
    assert.equal(jobBytes.get(6)?.[0], 1);
    assert.equal(jobBytes.get(20)?.[0], 1);
    assert.equal(jobBytes.get(23)?.[0], dataSourceId);
    const listBytes = readFields(
      await rawUnary(api.address, '/spaceone.api.cost_analysis.v1.JobTask/list', { job_id: job.job_id }, api.adminToken),
    );
    const task = readFields(listBytes.get(1)?.[0] as Uint8Array);
    assert.match(String(task.get(1)?.[0]), /^job-task-/);
    assert.equal(task.get(2)?.[0], 3);
    assert.equal(task.get(5)?.[0], ROWS);
    assert.equal(task.get(23)?.[0], job.job_id);
    assert.equal(task.get(24)?.[0], dataSourceId);
    assert.equal(listBytes.get(2)?.[0], 1);
  });

  test('Job.cancel: a running job ends CANCELED; a finished one is FAILED_PRECONDITION with ERROR_JOB_STATE details', async () => {
    // The plan's own month (no start): task 0 exists in it and hangs.
    const dataSourceId = await register('grpc hanging', { accounts: 1, months: 1, rows_per_day: 2, hang_task: 0 });
    const job = await call('DataSource', 'sync', { data_source_id: dataSourceId });
    const canceled = await call('Job', 'cancel', { job_id: job.job_id });
    assert.equal(canceled.status, 'CANCELED');
    const again = await call('Job', 'cancel', { job_id: job.job_id }).then(
      () => assert.fail('a second cancel must fail'),
      (error: ServiceError) => error,
    );
    assert.equal(again.code, 9);
    assert.match(again.details, /^ERROR_JOB_STATE: Only running jobs can be canceled\. \(job_state = CANCELED\)/);
  });

  test('errors: no token is UNAUTHENTICATED, an unknown job NOT_FOUND, both with "ERROR_CODE: message" details', async () => {
    const anonymous = await call('Job', 'list', {}, new Metadata()).catch((error: ServiceError) => error);
    assert.equal(anonymous.code, 16);
    assert.match(anonymous.details, /^ERROR_AUTHENTICATE_FAILURE: Authenticate failure\./);
    const missing = await call('Job', 'get', { job_id: 'job-000000000000' }).catch((error: ServiceError) => error);
    assert.equal(missing.code, 5);
    assert.match(missing.details, /^ERROR_NOT_FOUND: /);
  });
});
