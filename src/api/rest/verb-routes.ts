import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { err } from '../../domain/errors.js';
import { isObject, rejectNulCharacters, type Json } from '../../query/input.js';
import type { Wire } from '../views.js';

export type ServiceCall = (ctx: AppContext, principal: Principal, request: Json) => Promise<Wire>;

/** Both path forms: the proto annotation (`/cost-analysis/v1/…`) and the console's (`/cost-analysis/…`). */
const PREFIXES = ['/cost-analysis/v1', '/cost-analysis'];

/**
 * `POST <prefix>/<resource>/<verb>` for every verb of a service, verbs in kebab-case
 * (`update_plugin` → `update-plugin`). The JSON body is the request message.
 */
export function registerVerbs(app: FastifyInstance, ctx: AppContext, resource: string, service: Record<string, ServiceCall>): void {
  for (const [verb, call] of Object.entries(service)) {
    for (const prefix of PREFIXES) {
      app.post(`${prefix}/${resource}/${verb.replaceAll('_', '-')}`, (request) => call(ctx, request.principal, bodyOf(request)));
    }
  }
}

/** The request message: a JSON object; no body at all is an empty message. */
export function bodyOf(request: FastifyRequest): Json {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (!isObject(body)) throw err.invalidType('body', 'JSON object');
  rejectNulCharacters(body);
  return body;
}
