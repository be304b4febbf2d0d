import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { err } from '../../domain/errors.js';
import type { RouteDoc } from '../openapi/route-doc.js';

const status = (value: string): RouteDoc => ({
  kind: 'plain',
  tag: 'Operations',
  summary: value === 'ok' ? 'Liveness: the process answers' : 'Readiness: the database answers (503 ERROR_UNAVAILABLE when it does not)',
  contentType: 'application/json',
  response: { type: 'object', properties: { status: { const: value } } },
});

/** Liveness and readiness, without authentication. Readiness means the database answers. */
export function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', { config: { doc: status('ok') } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { doc: status('ready') } }, async () => {
    try {
      await ctx.db.query('SELECT 1');
    } catch {
      throw err.unavailable('the database does not answer');
    }
    return { status: 'ready' };
  });
}
