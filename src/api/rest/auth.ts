import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import type { Principal } from '../../auth/principal.js';
import { verifyToken } from '../../auth/tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every API route; absent only on /healthz and /readyz. */
    principal: Principal;
  }
}

/** `Authorization: Bearer <jwt>`; anything else is ERROR_AUTHENTICATE_FAILURE (401). */
function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Adds the auth hook to the routes of `api` (an encapsulated context). */
export function requireAuthentication(api: FastifyInstance, ctx: AppContext): void {
  api.decorateRequest('principal', undefined as unknown as Principal);
  api.addHook('onRequest', async (request) => {
    request.principal = await verifyToken(ctx.tokenKey, bearerToken(request));
  });
}
