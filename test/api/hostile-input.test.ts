import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import fc from 'fast-check';
import { dataSourceAccountService } from '../../src/api/services/data-source-account-service.js';
import { dataSourceService } from '../../src/api/services/data-source-service.js';
import { costService } from '../../src/api/services/cost-service.js';
import { jobService } from '../../src/api/services/job-service.js';
import { jobTaskService } from '../../src/api/services/job-task-service.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { issueToken } from '../../src/auth/tokens.js';
import { openGrpcTestApi, type GrpcTestApi } from '../grpc/api-harness.js';
import { rawBytesUnary } from '../grpc/raw-wire.js';
import { withDeadline } from '../helpers/wait.js';
import { openTestApp, type TestApp } from './harness.js';

/**
 * Hostile input gets a clear 4xx (or a 503) with an ERROR_* code and the server stays up: the
 * cases found by hand, then a seeded, bounded fuzz of every REST route and gRPC method.
 */
const SEED = 20261202;
const REQUEST_DEADLINE_MS = 10_000;

const RESOURCES = {
  job: jobService,
  'job-task': jobTaskService,
  'data-source': dataSourceService,
  'data-source-account': dataSourceAccountService,
  cost: costService,
} as const;
const POST_ROUTES = [
  ...Object.entries(RESOURCES).flatMap(([resource, service]) =>
    Object.keys(service).flatMap((verb) => [
      `/cost-analysis/v1/${resource}/${verb.replaceAll('_', '-')}`,
      `/cost-analysis/${resource}/${verb.replaceAll('_', '-')}`,
    ]),
  ),
  '/cost-analysis/v1/job-tasks/search',
  '/cost-analysis/v1/job-tasks/stat',
];
const GET_ROUTES = ['/cost-analysis/v1/job-tasks', '/cost-analysis/v1/job-task/job-task-000000000000'];

/** Values meant to break things: deep nesting, huge and odd strings, prototype keys, wrong types. */
const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom(
    JSON.parse(`${'['.repeat(200)}${']'.repeat(200)}`),
    'x'.repeat(100_000),
    'nul\u0000byte',
    '(.*.*.*.*.*.*.*.*.*.*){50}z',
    -1e308,
    '9'.repeat(400),
    { __proto__: null, constructor: 1 },
    [],
    {},
  ),
);
const queryLike = fc.record(
  {
    filter: fc.array(
      fc.record({
        k: fc.oneof(fc.string(), fc.constantFrom('status', 'tags.env', 'created_at')),
        v: hostileValue,
        o: fc.oneof(fc.string(), fc.constantFrom('eq', 'regex', 'in', 'timediff_gt', 'match')),
      }),
      { maxLength: 3 },
    ),
    page: fc.record({ start: hostileValue, limit: hostileValue }, { requiredKeys: [] }),
    sort: hostileValue,
    aggregate: hostileValue,
    distinct: hostileValue,
    only: hostileValue,
  },
  { requiredKeys: [] },
);
const hostileBody = fc.oneof(
  hostileValue,
  fc.record({ query: queryLike, data_source_id: hostileValue, job_id: hostileValue }, { requiredKeys: [] }),
  fc.dictionary(fc.string({ maxLength: 30 }), hostileValue, { maxKeys: 5 }),
);

describe('hostile input over REST', () => {
  let t: TestApp;
  let tokens: string[];
  before(async () => {
    t = await openTestApp('pglite');
    tokens = [
      await t.token({ domainId: 'domain-fuzz', role: 'DOMAIN_ADMIN' }),
      await t.token({ domainId: 'domain-fuzz', role: 'WORKSPACE_MEMBER', workspaceId: 'ws-1' }),
    ];
  });
  after(() => t?.close());

  const expectClearAnswer = (answer: { statusCode: number; body: string }, what: string) => {
    assert.ok(answer.statusCode < 500 || answer.statusCode === 503, `${what}: ${answer.statusCode} ${answer.body.slice(0, 300)}`);
    if (answer.statusCode >= 400) assert.match(JSON.parse(answer.body).detail.code, /^ERROR_[A-Z_]+$/, what);
  };

  it('4 KB of nested brackets is a 400 naming the nesting limit, on every route shape', async () => {
    const body = `{"query":${'['.repeat(4096)}${']'.repeat(4096)}}`;
    for (const url of ['/cost-analysis/v1/job/list', '/cost-analysis/v1/data-source/register', '/cost-analysis/v1/job-tasks/search']) {
      const answer = await t.app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' },
        payload: body,
      });
      assert.equal(answer.statusCode, 400, url);
      assert.equal(answer.json().detail.code, 'ERROR_INVALID_PARAMETER');
      assert.match(answer.json().detail.message, /nest at most 32 levels/);
    }
  });

  it('an over-long id in the path is a 400; an over-long id in a body is echoed short', async () => {
    const path = await t.app.inject({
      method: 'GET',
      url: `/cost-analysis/v1/job-task/${'x'.repeat(500)}`,
      headers: { authorization: `Bearer ${tokens[0]}` },
    });
    assert.deepEqual([path.statusCode, path.json().detail.code], [400, 'ERROR_INVALID_PARAMETER']);
    const body = await t.post('/cost-analysis/v1/job/get', tokens[0], { job_id: 'j'.repeat(20_000) });
    assert.deepEqual([body.status, body.body.detail.code], [404, 'ERROR_NOT_FOUND']);
    assert.ok(body.text.length < 400, `the message echoes ${body.text.length} characters`);
    assert.match(body.body.detail.message, /job_id = j{100}… \(20,000 characters\)/);
  });

  it('headers and URL past the HTTP limit are 431 in the API error shape', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = t.app.server.address() as { port: number };
    const answer = await fetch(`http://127.0.0.1:${port}/cost-analysis/v1/job-tasks?job_id=${'x'.repeat(20_000)}`, {
      headers: { authorization: `Bearer ${tokens[0]}` },
    });
    assert.equal(answer.status, 431);
    assert.equal(((await answer.json()) as { detail: { code: string } }).detail.code, 'ERROR_REQUEST_TOO_LARGE');
  });

  it(`fuzz (seed ${SEED}): every route answers random and hostile bodies with a code, never a 5xx but 503, within its deadline`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...POST_ROUTES), hostileBody, fc.constantFrom(0, 1), async (url, body, who) => {
        const answer = await withDeadline(
          t.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${tokens[who]}` }, payload: body as object }),
          REQUEST_DEADLINE_MS,
          `POST ${url}`,
        );
        expectClearAnswer(answer, `POST ${url} ${JSON.stringify(body)?.slice(0, 200)}`);
      }),
      { seed: SEED, numRuns: 400 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GET_ROUTES),
        fc.dictionary(fc.string({ maxLength: 40 }), fc.string({ maxLength: 200 }), { maxKeys: 6 }),
        async (url, params) => {
          const query = new URLSearchParams(params).toString();
          const answer = await withDeadline(
            t.app.inject({ method: 'GET', url: `${url}?${query}`, headers: { authorization: `Bearer ${tokens[0]}` } }),
            REQUEST_DEADLINE_MS,
            `GET ${url}`,
          );
          expectClearAnswer(answer, `GET ${url}?${query}`);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.equal(({} as Record<string, unknown>).constructor, Object, 'no prototype was touched');
  });
});

describe('hostile input over gRPC', () => {
  let api: GrpcTestApi;
  let token: string;
  const methods = () =>
    ['Job', 'JobTask', 'DataSource', 'DataSourceAccount', 'Cost'].flatMap((service) =>
      wireDescriptors()
        .service(`spaceone.api.cost_analysis.v1.${service}`)
        .methods.map((m) => `/spaceone.api.cost_analysis.v1.${service}/${m.name}`),
    );
  before(async () => {
    api = await openGrpcTestApi();
    token = await issueToken(api.ctx.tokenKey, { domainId: 'domain-fuzz', role: 'DOMAIN_ADMIN' });
  });
  after(() => api?.close());

  it('bytes that are not the request message are INVALID_ARGUMENT with ERROR_INVALID_PARAMETER', async () => {
    const answer = await rawBytesUnary(
      api.address,
      '/spaceone.api.cost_analysis.v1.Job/list',
      Uint8Array.from([0x0a, 0xff, 0xff, 0x01, 0x02]),
      token,
      5_000,
    );
    assert.equal(answer.code, status.INVALID_ARGUMENT);
    assert.match(answer.details, /^ERROR_INVALID_PARAMETER: .*not a valid .*JobQuery message/);
  });

  it('a 20 KB id is answered, with a short message', async () => {
    const job = wireDescriptors()
      .service('spaceone.api.cost_analysis.v1.Job')
      .methods.find((m) => m.name === 'get')!;
    const { messageCodec } = await import('../../src/wire/codec.js');
    const bytes = messageCodec(job.input).encode({ job_id: 'j'.repeat(20_000) });
    const answer = await rawBytesUnary(api.address, '/spaceone.api.cost_analysis.v1.Job/get', bytes, token, 5_000);
    assert.equal(answer.code, status.NOT_FOUND);
    assert.ok(answer.details.length < 400);
  });

  it(`fuzz (seed ${SEED}): every method answers random bytes with an ERROR_* status within its deadline`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods()), fc.uint8Array({ maxLength: 512 }), async (path, bytes) => {
        const answer = await rawBytesUnary(api.address, path, bytes, token, REQUEST_DEADLINE_MS);
        assert.notEqual(answer.code, status.DEADLINE_EXCEEDED, `${path}: no answer within the deadline`);
        assert.ok(
          ![status.INTERNAL, status.UNKNOWN].includes(answer.code) || /^ERROR_/.test(answer.details),
          `${path}: ${answer.code} ${answer.details}`,
        );
        if (answer.code !== status.OK) assert.match(answer.details, /^ERROR_[A-Z_]+: /, path);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
