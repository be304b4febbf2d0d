import type { FastifyInstance } from 'fastify';
import type { JsonSchema } from './message-schema.js';

/**
 * What a route says about itself for the API reference, in its Fastify route options
 * (`config.doc`), next to the handler it describes: the document at /openapi.json is built
 * from the routes as registered, so a route cannot be answered and left out of it, and its
 * request and answer types are the protobuf messages the gRPC API uses for the same method.
 */
export type RouteDoc =
  | {
      /** A method of an API service: its request and answer are the method's messages. */
      readonly kind: 'rpc';
      /** The protobuf service, e.g. `spaceone.api.cost_analysis.v1.Job`. */
      readonly service: string;
      readonly method: string;
      /** Where the request comes from besides the body: path parameters and the query string (GET routes). */
      readonly from?: 'query';
      /** Another path of the same method (the console's `/cost-analysis/…` form): named so in the reference. */
      readonly aliasOf?: string;
    }
  | {
      /** A route outside the API services: health, metrics, the reference, the dashboard's files. */
      readonly kind: 'plain';
      readonly tag: string;
      readonly summary: string;
      readonly contentType: string;
      readonly response?: JsonSchema;
    };

declare module 'fastify' {
  interface FastifyContextConfig {
    doc?: RouteDoc;
  }
}

export interface DocumentedRoute {
  readonly method: string;
  readonly url: string;
  readonly doc?: RouteDoc;
}

/** Records every route registered on `app` from now on (in every plugin context), with its doc. */
export function collectRoutes(app: FastifyInstance): readonly DocumentedRoute[] {
  const routes: DocumentedRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method, url: route.url, doc: route.config?.doc });
  });
  return routes;
}
