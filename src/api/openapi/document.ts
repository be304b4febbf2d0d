import type { DescMethod } from '@bufbuild/protobuf';
import { ERROR_CODES } from '../../domain/errors.js';
import { wireDescriptors } from '../../wire/descriptors.js';
import { REQUEST_EXAMPLES } from './examples.js';
import { type JsonSchema, MessageSchemas } from './message-schema.js';
import type { DocumentedRoute, RouteDoc } from './route-doc.js';

/**
 * The OpenAPI 3.1 document of the REST API, built from the routes as registered (their
 * `config.doc`) and the protobuf descriptors: every route the server answers, its request and
 * answer schemas, an example request, and its errors — each error status with the ERROR_*
 * codes that have it (domain/errors.ts), in the one body form `{"detail": {"code", "message"}}`.
 */
export function openApiDocument(routes: readonly DocumentedRoute[], version: string): JsonSchema {
  const schemas = new MessageSchemas();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const route of routes) {
    if (route.method === 'HEAD') continue; // every GET answers HEAD too
    const doc = route.doc;
    if (!doc) throw new Error(`route ${route.method} ${route.url} has no config.doc: say what it is for the API reference`);
    const operation = doc.kind === 'rpc' ? rpcOperation(route, doc, schemas) : plainOperation(route, doc);
    tags.add((operation.tags as string[])[0]);
    paths[openApiPath(route.url)] ??= {};
    paths[openApiPath(route.url)][route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'costsync API',
      version,
      description:
        'Cost-collection jobs, their tasks, data sources and cost rows, wire-compatible with the cost-analysis service of Cloudforet (SpaceONE). Every request is a JSON body (the request message); every answer is the answer message as JSON, with fields at their default value left out. Authenticate with a bearer token (`costsync token`).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { ...schemas.schemas, Error: ERROR_SCHEMA },
      responses: errorResponses(),
    },
  };
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['detail'],
  properties: {
    detail: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_CODES) },
        message: { type: 'string', description: 'What went wrong and what to fix' },
      },
    },
  },
};

/** One response per HTTP status an error can have, naming its codes. */
function errorResponses(): Record<string, JsonSchema> {
  const byStatus = new Map<number, string[]>();
  for (const [code, { http }] of Object.entries(ERROR_CODES)) byStatus.set(http, [...(byStatus.get(http) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      `Error${status}`,
      {
        description: `One of ${codes.join(', ')}`,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );
}

/** Errors every API call can answer, and those only some methods do. */
const COMMON_ERRORS = [400, 401, 403, 404, 413, 500, 503];
const METHOD_ERRORS: Record<string, number[]> = {
  register: [409, 502],
  sync: [409, 502],
  verify_plugin: [502],
  update_plugin: [502],
};

function rpcOperation(route: DocumentedRoute, doc: Extract<RouteDoc, { kind: 'rpc' }>, schemas: MessageSchemas): JsonSchema {
  const method = methodOf(doc);
  const service = doc.service.split('.').pop()!;
  const errors = [...COMMON_ERRORS, ...(METHOD_ERRORS[doc.method] ?? [])].sort((a, b) => a - b);
  const operation: JsonSchema = {
    tags: [service],
    operationId: `${service}.${doc.method}${doc.aliasOf ? `.${route.method.toLowerCase()}.${route.url}` : ''}`,
    summary: `${service}.${doc.method}${doc.aliasOf ? ` (also at ${doc.aliasOf})` : ''}`,
    description: `The ${method.parent.typeName}.${method.name} method: request ${method.input.typeName}, answer ${method.output.typeName}.`,
    responses: {
      '200': { description: method.output.typeName, content: { 'application/json': { schema: schemas.ref(method.output) } } },
      ...Object.fromEntries(errors.map((status) => [String(status), { $ref: `#/components/responses/Error${status}` }])),
    },
  };
  const parameters = pathParameters(route.url);
  if (doc.from === 'query') {
    for (const field of method.input.fields) {
      if (!parameters.some((p) => p.name === field.name) && field.fieldKind === 'scalar') {
        parameters.push({ name: field.name, in: 'query', required: false, schema: { type: 'string' } });
      }
    }
    parameters.push({
      name: 'query',
      in: 'query',
      required: false,
      description: 'Fields of the query by dotted name: query.page.limit=10, query.sort.key=created_at, query.only=status',
      schema: { type: 'object', additionalProperties: { type: 'string' } },
      style: 'deepObject',
    });
  } else {
    const example = REQUEST_EXAMPLES[method.input.typeName];
    operation.requestBody = {
      required: false,
      description: `${method.input.typeName}; no body is an empty message`,
      content: { 'application/json': { schema: schemas.ref(method.input), ...(example ? { example } : {}) } },
    };
  }
  if (parameters.length > 0) operation.parameters = parameters;
  return operation;
}

function plainOperation(route: DocumentedRoute, doc: Extract<RouteDoc, { kind: 'plain' }>): JsonSchema {
  const parameters = pathParameters(route.url);
  return {
    tags: [doc.tag],
    operationId: `${doc.tag}.${route.method.toLowerCase()}.${route.url}`,
    summary: doc.summary,
    security: [],
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: {
      '200': { description: doc.summary, content: { [doc.contentType]: { schema: doc.response ?? { type: 'string' } } } },
      ...(parameters.length > 0 ? { '404': { $ref: '#/components/responses/Error404' } } : {}),
    },
  };
}

function methodOf(doc: Extract<RouteDoc, { kind: 'rpc' }>): DescMethod {
  const method = wireDescriptors()
    .service(doc.service)
    .methods.find((m) => m.name === doc.method);
  if (!method) throw new Error(`${doc.service} has no method ${doc.method} in the protos: a route answers what the API does not define`);
  return method;
}

/** `/job-task/:job_task_id` → `/job-task/{job_task_id}`; `/static/*` → `/static/{path}`. */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{path}');
}

function pathParameters(url: string): JsonSchema[] {
  return [...openApiPath(url).matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
}
