import type { FastifyInstance } from 'fastify';
import { packageVersion } from '../../config/version.js';
import { openApiDocument } from '../openapi/document.js';
import type { JsonSchema } from '../openapi/message-schema.js';
import type { DocumentedRoute } from '../openapi/route-doc.js';
import { sendFile } from './web-static.js';

/**
 * `GET /openapi.json`: the API as an OpenAPI 3.1 document, built once from the routes as
 * registered; `GET /docs`: a reference page that reads it, served from this server like the
 * dashboard (no outside request). Both open, like /healthz.
 */
export function registerApiReference(app: FastifyInstance, routes: readonly DocumentedRoute[]): void {
  let document: JsonSchema | undefined;
  const json = {
    kind: 'plain',
    tag: 'Reference',
    summary: 'This API as an OpenAPI 3.1 document',
    contentType: 'application/json',
  } as const;
  app.get('/openapi.json', { config: { doc: { ...json, response: { type: 'object' } } } }, async (_request, reply) => {
    document ??= openApiDocument(routes, packageVersion());
    return reply.header('cache-control', 'no-cache').send(document);
  });
  const page = { kind: 'plain', tag: 'Reference', summary: 'The API reference, readable in a browser', contentType: 'text/html' } as const;
  app.get('/docs', { config: { doc: page } }, (_request, reply) => sendFile(reply, 'docs.html'));
}
