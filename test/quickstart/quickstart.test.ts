import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { credentials, loadPackageDefinition, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/**
 * The README's first command, `npm start`, on a fresh data directory: costsync serves, syncs the
 * demo data source to SUCCESS and prints a token with which the job, its tasks and its rows
 * can be read through the API.
 */
const CLI = join(import.meta.dirname, '../../src/cli/main.ts');
const PROTO_DIR = join(import.meta.dirname, '../../proto');

/** Job.list over the gRPC API of a running server, with a client built from our .proto files. */
async function grpcJobList(address: string, token: string): Promise<Array<{ job_id: string; status: string }>> {
  const definition = loadSync('spaceone/api/cost_analysis/v1/job.proto', {
    includeDirs: [PROTO_DIR, '/usr/include'],
    keepCase: true,
    enums: String,
    longs: Number,
  });
  const v1 = (loadPackageDefinition(definition) as any).spaceone.api.cost_analysis.v1;
  const client = new v1.Job(address, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('token', token);
  try {
    const answer = await new Promise<any>((resolve, reject) =>
      client.list({}, metadata, { deadline: Date.now() + 20_000 }, (error: ServiceError | null, value: unknown) =>
        error ? reject(error) : resolve(value),
      ),
    );
    return answer.results;
  } finally {
    client.close();
  }
}

it('npm start on an empty database shows a finished demo job, readable through the API', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'costsync-quickstart-'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const serve = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: {
      ...process.env,
      COSTSYNC_DATA_DIR: dataDir,
      COSTSYNC_HTTP_PORT: String(port),
      COSTSYNC_GRPC_PORT: '0',
      COSTSYNC_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Not on a terminal, logs are JSON lines on stdout, and what serve says at start goes to stderr.
  let logs = '';
  serve.stdout!.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  try {
    let output = '';
    const token = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no token printed; output so far:\n${output}`)), 90_000);
      serve.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /export COSTSYNC_TOKEN=(\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      serve.once('exit', (code) => reject(new Error(`serve exited (${code}):\n${output}`)));
    });
    assert.match(output, /costsync is listening on http:\/\/127\.0\.0\.1:\d+ \(embedded database/);
    const grpcPort = /gRPC API on 127\.0\.0\.1:(\d+)/.exec(output)?.[1];
    assert.ok(grpcPort, output);
    const demo =
      /demo: data source "demo" \((ds-[0-9a-f]{12})\) synced by job (job-[0-9a-f]{12}): SUCCESS, 6 tasks, ([\d,]+) rows billed (\d{4}-\d{2}-01) to (\d{4}-\d{2}-\d{2})\n/.exec(
        output,
      );
    assert.ok(demo, output);
    const [, dataSourceId, jobId, rowText, firstDay, lastDay] = demo;
    const rows = Number(rowText.replace(/,/g, ''));

    const api = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      assert.equal(response.status, 200, `${path}: ${await response.clone().text()}`);
      return (await response.json()) as Record<string, any>;
    };
    const jobs = await api('POST', '/cost-analysis/v1/job/list', {});
    assert.deepEqual(
      jobs.results.map((j: { job_id: string; status: string }) => [j.job_id, j.status]),
      [[jobId, 'SUCCESS']],
    );
    const tasks = await api('GET', `/cost-analysis/v1/job-tasks?job_id=${jobId}`);
    assert.equal(tasks.total_count, 6);
    assert.equal(
      tasks.results.reduce((sum: number, t: { created_count: number }) => sum + t.created_count, 0),
      rows,
    );
    const costs = await api('POST', '/cost-analysis/v1/cost/list', { data_source_id: dataSourceId, query: { page: { limit: 3 } } });
    assert.equal(costs.total_count, rows);
    const days = await api('POST', '/cost-analysis/v1/cost/stat', {
      data_source_id: dataSourceId,
      query: {
        aggregate: [
          {
            group: {
              fields: [
                { key: 'billed_date', name: 'first', operator: 'min' },
                { key: 'billed_date', name: 'last', operator: 'max' },
              ],
            },
          },
        ],
      },
    });
    assert.deepEqual([days.results[0].first, days.results[0].last], [firstDay, lastDay], 'the days the line names are the days synced');
    assert.equal(costs.results.length, 3);
    const grpcJobs = await grpcJobList(`127.0.0.1:${grpcPort}`, token);
    assert.deepEqual(
      grpcJobs.map((j) => [j.job_id, j.status]),
      [[jobId, 'SUCCESS']],
      'the same job through the gRPC API',
    );

    const lines = logs.split('\n').filter((line) => line !== '');
    assert.ok(lines.length > 0, 'the server logged');
    for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `not a JSON log line: ${line}`);
    assert.ok(!lines.some((line) => /"msg":"incoming request"|"msg":"request completed"/.test(line)), 'no per-request lines at info');

    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    assert.equal(await exited, 0, 'SIGTERM stops the server cleanly');
  } finally {
    if (serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
