import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { FastifyInstance } from 'fastify';
import { buildRestApp } from '../../src/api/rest/app.js';
import { ERROR_CODES } from '../../src/domain/errors.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { launchBrowser, openPage } from '../web/browser.js';
import { startTestServer, type TestServer } from '../web/server.js';

/**
 * The API reference: /openapi.json is a valid OpenAPI 3.1 document (checked by an OpenAPI
 * validator) holding exactly the routes the server answers, every method of the API's
 * protobuf services, every error code, and examples that are valid requests; /docs shows it in
 * a browser with no request leaving the server.
 */
type Json = Record<string, any>;
const SERVICES = ['Job', 'JobTask', 'DataSource', 'DataSourceAccount', 'Cost'];

describe('the API reference', () => {
  let server: TestServer;
  let app: FastifyInstance;
  let doc: Json;
  before(async () => {
    server = await startTestServer();
    app = buildRestApp(server.ctx);
    await app.ready();
    const answer = await fetch(`${server.url}/openapi.json`);
    assert.equal(answer.status, 200);
    doc = (await answer.json()) as Json;
  });
  after(async () => {
    await app?.close();
    await server?.close();
  });

  const operations = () =>
    Object.entries(doc.paths as Record<string, Json>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation: operation as Json })),
    );

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(doc);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    assert.equal(doc.openapi, '3.1.0');
  });

  it('holds every route the server answers, and only those', () => {
    const fastifyPath = (path: string) => path.replace(/\{path\}$/, '*').replace(/\{(\w+)\}/g, ':$1');
    for (const { path, method } of operations()) {
      assert.ok(app.hasRoute({ method: method as 'GET', url: fastifyPath(path) }), `${method} ${path} is documented but not answered`);
    }
    // Each line of the route tree is one path and its methods; HEAD answers every GET.
    const answered = app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .flatMap((line) => /\(([A-Z, ]+)\)$/.exec(line)?.[1].split(', ') ?? [])
      .filter((method) => method !== 'HEAD');
    assert.equal(operations().length, answered.length, 'as many documented operations as routes');
  });

  it('documents every method of the API services, with its request and answer messages and an example that is a valid request', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = (schema: Json, value: unknown) => ajv.validate({ ...schema, components: doc.components }, value);
    for (const name of SERVICES) {
      for (const method of wireDescriptors().service(`spaceone.api.cost_analysis.v1.${name}`).methods) {
        const path = `/cost-analysis/v1/${name.replace(/(?<!^)([A-Z])/g, '-$1').toLowerCase()}/${method.name.replaceAll('_', '-')}`;
        const operation = doc.paths[path]?.post as Json | undefined;
        assert.ok(operation, `${name}.${method.name} at POST ${path}`);
        assert.equal(operation.operationId, `${name}.${method.name}`);
        assert.match(operation.description, new RegExp(`request ${method.input.typeName}, answer ${method.output.typeName}`));
        const body = operation.requestBody.content['application/json'];
        assert.ok(body.example, `${name}.${method.name} has an example request`);
        assert.ok(validate(body.schema, body.example), `${name}.${method.name} example: ${ajv.errorsText()}`);
        assert.ok(!validate(body.schema, { [method.input.fields[0].name]: [[{}]] }), 'a wrong type is not valid');
        assert.ok(operation.responses['200'].content['application/json'].schema);
        assert.ok(operation.responses['400'] && operation.responses['401'], 'its errors are documented');
      }
    }
  });

  it('names every error code under the HTTP status it has, in the one error body form', () => {
    const responses = doc.components.responses as Record<string, Json>;
    for (const [code, { http }] of Object.entries(ERROR_CODES)) {
      assert.match(responses[`Error${http}`]?.description ?? '', new RegExp(`\\b${code}\\b`), `${code} under ${http}`);
    }
    assert.deepEqual(doc.components.schemas.Error.properties.detail.required, ['code', 'message']);
    const open = operations().filter(({ operation }) => Array.isArray(operation.security) && operation.security.length === 0);
    assert.deepEqual(open.map(({ path }) => path).sort(), [
      '/',
      '/docs',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/readyz',
      '/static/{path}',
    ]);
  });

  it('/docs shows the reference in Chromium, with no request leaving the server', async () => {
    const browser = await launchBrowser();
    try {
      const { page, foreign, errors } = await openPage(browser, server.url);
      await page.goto(`${server.url}/docs`);
      await page.getByRole('heading', { name: /^costsync API/ }).waitFor();
      const cancel = page.locator('[id="Job.cancel"]');
      await cancel.getByRole('heading', { name: 'POST /cost-analysis/v1/job/cancel' }).waitFor();
      await cancel.getByText('job-0a1b2c3d4e5f').waitFor();
      await cancel
        .getByText(/ERROR_JOB_STATE/)
        .first()
        .waitFor();
      for (const service of SERVICES) await page.getByRole('heading', { name: service, exact: true }).waitFor();
      assert.deepEqual(foreign, []);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
