import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { messageCodec, type JsonMessage } from '../../src/wire/codec.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { messageFromQueryString } from '../../src/api/rest/query-string.js';
import { dataSourceService } from '../../src/api/services/data-source-service.js';
import { issueToken, verifyToken } from '../../src/auth/tokens.js';
import { isCostsyncError } from '../../src/domain/errors.js';
import { openGrpcTestApi, type GrpcTestApi } from '../grpc/api-harness.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type Answer, type TestApp } from './harness.js';
import { insertJob, registerBody, seedWorld, type World } from './world.js';

/**
 * No request can write into Object.prototype: a query-string name segment, a JSON body key or
 * a gRPC Struct key `__proto__`, `constructor` or `prototype` is refused with
 * ERROR_INVALID_PARAMETER naming its path, and afterwards the server (this process) has a clean
 * Object.prototype, still answers /healthz and /metrics, and shows another domain exactly what
 * it showed before.
 */
const KEYS = ['__proto__', 'constructor', 'prototype'] as const;
type Key = (typeof KEYS)[number];

/** Object.prototype as it is before any attack, to compare with afterwards. */
const CLEAN_PROTOTYPE = Object.getOwnPropertyNames(Object.prototype).sort();

function assertPrototypeClean(): void {
  const probe = {} as Record<string, unknown>;
  for (const name of ['status', 'x', 'polluted', 'total_count']) assert.equal(probe[name], undefined, `({}).${name}`);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), CLEAN_PROTOTYPE);
  assert.equal(Object.getPrototypeOf(probe), Object.prototype);
}

describe('messageFromQueryString', () => {
  it('nests ordinary dotted names and converts the Query fields', () => {
    const message = messageFromQueryString({
      'query.page.limit': '10',
      'query.sort.key': 'created_at',
      'query.count_only': 'false',
      'query.only': 'job_id',
      status: 'SUCCESS',
    });
    assert.deepEqual(message, {
      query: { page: { limit: 10 }, sort: { key: 'created_at' }, count_only: false, only: ['job_id'] },
      status: 'SUCCESS',
    });
  });

  it('refuses every name with a prototype segment, first, middle or last, and sets nothing', () => {
    for (const key of KEYS) {
      for (const name of [key, `${key}.status`, `query.${key}.x`, `query.filter.${key}`]) {
        // As Fastify's query-string parser hands them over: a null-prototype object with own keys.
        const params = Object.assign(Object.create(null), { [name]: 'CANCELED' }) as Record<string, string>;
        if (name === '__proto__') Object.defineProperty(params, name, { value: 'CANCELED', enumerable: true });
        assert.throws(
          () => messageFromQueryString(params),
          (error: unknown) =>
            isCostsyncError(error) &&
            error.code === 'ERROR_INVALID_PARAMETER' &&
            error.message.includes(`query string name "${name}"`) &&
            error.message.includes(`"${key}" is not a field name`),
          name,
        );
      }
    }
    assertPrototypeClean();
  });

  it('never walks into inherited members: `query.toString.x` makes an own object', () => {
    const message = messageFromQueryString({ 'query.toString.x': '1', 'query.hasOwnProperty': '2' }) as any;
    assert.deepEqual(Object.keys(message.query), ['toString', 'hasOwnProperty']);
    assert.deepEqual({ ...message.query.toString }, { x: '1' });
    assertPrototypeClean();
    assert.equal(typeof Object.prototype.toString, 'function');
  });
});

const ATTACKER = { domainId: 'domain-cccccccccccc', role: 'WORKSPACE_MEMBER', workspaceId: 'ws-9' } as const;

/** Query-string names with a prototype segment in every position. */
const queryNames = (key: Key) => [`${key}.status`, `query.${key}.x`, `query.filter.${key}`, `${key}.x.status`, key];

/** JSON bodies with a prototype key at several depths, as raw text (a JS object literal would not keep `__proto__`). */
const POLLUTE = '{"status": "CANCELED", "x": 1, "total_count": "polluted"}';
const jsonBodies = (key: Key): [string, string][] => [
  [`body.${key}`, `{"${key}": ${POLLUTE}}`],
  [`body.query.${key}`, `{"query": {"${key}": ${POLLUTE}}}`],
  [`body.query.filter[0].${key}`, `{"query": {"filter": [{"k": "status", "v": "SUCCESS", "o": "eq", "${key}": ${POLLUTE}}]}}`],
  [`body.plugin_info.options.${key}`, `{"name": "n", "plugin_info": {"plugin_id": "synthetic", "options": {"${key}": ${POLLUTE}}}}`],
  [`body.query.filter[0].v.${key}`, `{"query": {"filter": [{"k": "options", "v": {"${key}": ${POLLUTE}}, "o": "eq"}]}}`],
  [`body.tags.${key}`, `{"name": "n", "tags": {"env": "x", "${key}": "y"}}`],
];

const POST_ROUTES = [
  '/cost-analysis/v1/job/list',
  '/cost-analysis/job/list',
  '/cost-analysis/v1/job-task/list',
  '/cost-analysis/v1/job-tasks/search',
  '/cost-analysis/v1/job-tasks/stat',
  '/cost-analysis/v1/data-source/register',
  '/cost-analysis/v1/data-source/update',
  '/cost-analysis/v1/cost/stat',
  '/cost-analysis/v1/cost/list',
];

function assertRefused(answer: Answer, path: string, key: Key, what: string): void {
  const error = errorOf(answer);
  assert.equal(answer.status, 400, `${what}: ${answer.text}`);
  assert.equal(error.code, 'ERROR_INVALID_PARAMETER', what);
  assert.ok(error.message.includes(`key = ${path}`), `${what}: ${error.message}`);
  assert.ok(error.message.includes(`"${key}" is not a field name`), `${what}: ${error.message}`);
}

for (const backend of BACKENDS) {
  describe(`REST requests cannot reach a prototype (${backend})`, () => {
    let t: TestApp;
    let w: World;
    let attacker: string;
    const otherDomainJobs = async () => (await t.post('/cost-analysis/v1/job/list', w.tokens.daB, {})).text;
    const rawPost = async (url: string, payload: string, contentType = 'application/json'): Promise<Answer> => {
      const response = await t.app.inject({
        method: 'POST',
        url,
        payload,
        headers: { authorization: `Bearer ${attacker}`, 'content-type': contentType },
      });
      return { status: response.statusCode, text: response.body, body: JSON.parse(response.body) };
    };

    before(async () => {
      t = await openTestApp(backend);
      w = await seedWorld(t);
      attacker = await t.token(ATTACKER);
    });
    after(() => t?.close());

    it('refuses prototype segments in the query string of every GET route, and nothing changes', async () => {
      const before = await otherDomainJobs();
      assert.equal(JSON.parse(before).total_count, 2);
      const routes = ['/cost-analysis/v1/job-tasks', `/cost-analysis/v1/job-task/${w.otherDomainSource.doneTaskId}`];
      for (const route of routes) {
        for (const key of KEYS) {
          for (const name of queryNames(key)) {
            const answer = await t.call('GET', `${route}?${encodeURIComponent(name)}=CANCELED&status=SUCCESS`, { token: attacker });
            assertRefused(answer, `query string name "${name}"`, key, `GET ${route}?${name}`);
          }
        }
      }
      assertPrototypeClean();
      assert.equal(await otherDomainJobs(), before);
    });

    it('refuses prototype keys at every depth of a JSON body, and nothing changes', async () => {
      const before = await otherDomainJobs();
      for (const route of POST_ROUTES) {
        for (const key of KEYS) {
          for (const [path, body] of jsonBodies(key)) assertRefused(await rawPost(route, body), path, key, `POST ${route} ${body}`);
        }
      }
      const charset = await rawPost(POST_ROUTES[0], '{"__proto__": {"x": 1}}', 'application/json; charset=utf-8');
      assertRefused(charset, 'body.__proto__', '__proto__', 'with a charset');
      const constructorPrototype = await rawPost(POST_ROUTES[0], '{"query": {"constructor": {"prototype": {"x": 1}}}}');
      assertRefused(constructorPrototype, 'body.query.constructor', 'constructor', 'constructor.prototype');
      assertPrototypeClean();
      assert.equal(await otherDomainJobs(), before);
    });

    it('keeps answering: /healthz, a parseable /metrics, and ordinary requests', async () => {
      assert.equal((await t.call('GET', '/healthz')).status, 200);
      const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      const samples = metrics.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      for (const line of samples) assert.match(line, /^[a-zA-Z_:][\w:]*(\{[^}]*\})? [-+\w.]+$/);
      assert.ok(
        samples.some((line) => line.startsWith('costsync_jobs_finished_total{status="SUCCESS"}')),
        metrics.body,
      );
      const paged = await t.call('GET', '/cost-analysis/v1/job-tasks?status=SUCCESS&query.page.limit=1', { token: w.tokens.da });
      assert.equal(paged.status, 200, paged.text);
      assert.equal(paged.body.results.length, 1);
      assertPrototypeClean();
    });
  });
}

/** A unary call with a hand-built request: bytes in, the answer decoded by our codec. */
async function callBytes(address: string, service: string, method: string, bytes: Buffer, token: string): Promise<JsonMessage> {
  const schema = methodOf(service, method);
  const output = messageCodec(schema.output);
  const Client = makeGenericClientConstructor(
    {
      call: {
        path: `/spaceone.api.cost_analysis.v1.${service}/${method}`,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Buffer) => value,
        requestDeserialize: (value: Buffer) => value,
        responseSerialize: (value: Buffer) => value,
        responseDeserialize: (value: Buffer) => output.decode(value),
      },
    },
    'Raw',
  );
  const client = new Client(address, credentials.createInsecure()) as any;
  const metadata = new Metadata();
  metadata.set('token', token);
  try {
    return await new Promise((resolve, reject) =>
      client.call(bytes, metadata, { deadline: Date.now() + 20_000 }, (error: Error | null, answer: JsonMessage) =>
        error ? reject(error) : resolve(answer),
      ),
    );
  } finally {
    client.close();
  }
}

function methodOf(service: string, method: string) {
  return wireDescriptors()
    .service(`spaceone.api.cost_analysis.v1.${service}`)
    .methods.find((m) => m.name === method)!;
}

/**
 * The request's bytes with every placeholder key ("Q" as long as `key`) replaced by `key`:
 * a Struct key no JSON-to-protobuf encoder lets through (fromJson would set a prototype).
 */
function requestWithKey(service: string, method: string, build: (placeholder: string) => JsonMessage, key: Key): Buffer {
  const placeholder = 'Q'.repeat(key.length);
  const bytes = Buffer.from(messageCodec(methodOf(service, method).input).encode(build(placeholder)));
  let at = bytes.indexOf(placeholder);
  assert.notEqual(at, -1, 'the placeholder is on the wire');
  for (; at !== -1; at = bytes.indexOf(placeholder, at + key.length)) bytes.write(key, at, 'utf8');
  return bytes;
}

const filterWith = (v: unknown) => ({ query: { filter: [{ k: 'status', v, o: 'eq' }] } });
const GRPC_CASES: [string, string, (p: string) => JsonMessage, (key: Key) => string][] = [
  ['Job', 'list', (p) => filterWith({ [p]: { status: 'CANCELED' } }), (key) => `body.query.filter[0].v.${key}`],
  ['JobTask', 'list', (p) => filterWith({ [p]: { x: 1 } }), (key) => `body.query.filter[0].v.${key}`],
  ['Job', 'list', (p) => filterWith({ nested: [1, { [p]: 1 }] }), (key) => `body.query.filter[0].v.nested[1].${key}`],
  [
    'Job',
    'list',
    (p) => ({
      query: {
        filter: [
          { k: 'status', v: 'SUCCESS', o: 'eq' },
          { k: 'x', v: { [p]: 1 }, o: 'eq' },
        ],
      },
    }),
    (key) => `body.query.filter[1].v.${key}`,
  ],
  [
    'DataSource',
    'register',
    (p) => ({ name: 'n', plugin_info: { plugin_id: 'synthetic', options: { [p]: { x: 1 } } } }),
    (key) => `body.plugin_info.options.${key}`,
  ],
  ['DataSource', 'register', (p) => ({ name: 'n', tags: { env: 'x', [p]: 'y' } }), (key) => `body.tags.${key}`],
];

describe('gRPC requests cannot reach a prototype', () => {
  let api: GrpcTestApi;
  let attacker: string;
  let other: string;
  const otherDomainJobs = async () =>
    JSON.stringify(await callBytes(api.address, 'Job', 'list', Buffer.from(messageCodec(methodOf('Job', 'list').input).encode({})), other));

  before(async () => {
    api = await openGrpcTestApi();
    attacker = await issueToken(api.ctx.tokenKey, ATTACKER);
    other = await issueToken(api.ctx.tokenKey, { domainId: 'domain-dddddddddddd', role: 'DOMAIN_ADMIN' });
    const ds = (await dataSourceService.register(
      api.ctx,
      await verifyToken(api.ctx.tokenKey, other),
      registerBody({ name: 'other domain', resource_group: 'DOMAIN' }),
    )) as { data_source_id: string; workspace_id: string; domain_id: string; resource_group: string };
    // insertJob writes through the database only.
    await insertJob({ db: api.ctx.db } as TestApp, ds, 'SUCCESS', '2025-09-01T10:00:00Z');
  });
  after(() => api?.close());

  it('refuses a Struct key naming a prototype anywhere in a request, and nothing changes', async () => {
    const before = await otherDomainJobs();
    assert.equal(JSON.parse(before).total_count, 1);
    for (const [service, method, build, pathOf] of GRPC_CASES) {
      for (const key of KEYS) {
        const what = `${service}.${method} ${pathOf(key)}`;
        await assert.rejects(
          callBytes(api.address, service, method, requestWithKey(service, method, build, key), attacker),
          (error: ServiceError) => {
            assert.equal(error.code, status.INVALID_ARGUMENT, `${what}: ${error.details}`);
            assert.ok(error.details.startsWith('ERROR_INVALID_PARAMETER: '), `${what}: ${error.details}`);
            assert.ok(error.details.includes(`key = ${pathOf(key)}`), `${what}: ${error.details}`);
            assert.ok(error.details.includes(`"${key}" is not a field name`), `${what}: ${error.details}`);
            return true;
          },
        );
      }
    }
    assertPrototypeClean();
    assert.equal(await otherDomainJobs(), before);
  });

  it('still decodes an ordinary Struct filter', async () => {
    const request = Buffer.from(messageCodec(methodOf('Job', 'list').input).encode(filterWith('SUCCESS')));
    const answer = await callBytes(api.address, 'Job', 'list', request, other);
    assert.equal(answer.total_count, 1);
    assertPrototypeClean();
  });
});
