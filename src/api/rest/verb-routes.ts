import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { err } from '../../domain/errors.js';
import { isObject, rejectUnsafeInput, type Json } from '../../query/input.js';
import type { Wire } from '../views.js';

export type ServiceCall = (ctx: AppContext, principal: Principal, request: Json) => Promise<Wire>;

/** Both path forms: the proto annotation (`/cost-analysis/v1/…`) and the console's (`/cost-analysis/…`). */
const PREFIXES = ['/cost-analysis/v1', '/cost-analysis'];

/**
 * `POST <prefix>/<resource>/<verb>` for every verb of a service, verbs in kebab-case
 * (`update_plugin` → `update-plugin`). The JSON body is the request message.
 */
export function registerVerbs(
  app: FastifyInstance,
  ctx: AppContext,
  resource: string,
  protoService: string,
  service: Record<string, ServiceCall>,
): void {
  for (const [verb, call] of Object.entries(service)) {
    const [main, ...aliases] = PREFIXES.map((prefix) => `${prefix}/${resource}/${verb.replaceAll('_', '-')}`);
    const doc = { kind: 'rpc', service: protoService, method: verb } as const;
    app.post(main, { config: { doc } }, (request) => call(ctx, request.principal, bodyOf(request)));
    for (const alias of aliases) {
      app.post(alias, { config: { doc: { ...doc, aliasOf: main } } }, (request) => call(ctx, request.principal, bodyOf(request)));
    }
  }
}

/**
 * The request message: a JSON object; no body at all is an empty message. The JSON parser
 * (below) refuses NUL characters and prototype keys already; the check here holds whichever
 * parser produced the body.
 */
export function bodyOf(request: FastifyRequest): Json {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw err.invalidType('body', 'JSON object');
  rejectUnsafeInput(body);
  return body;
}

/**
 * `application/json` bodies: Fastify's own parser (its empty-body and bad-JSON errors), but
 * keys that name a prototype are left to `rejectUnsafeInput`, which refuses them naming the
 * key's path (secure-json-parse's own refusal only says "not valid JSON"). JSON.parse stores
 * such a key as an own property, so nothing reaches a prototype in between. The check runs
 * at parse time, so a route that never calls `bodyOf` cannot skip it.
 */
export function installJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('ignore', 'ignore');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parse(request, body as string, (error, value) => {
      if (error) return done(error, undefined);
      try {
        rejectUnsafeInput(value);
      } catch (refusal) {
        return done(refusal as Error, undefined);
      }
      done(null, value);
    }),
  );
}
