import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { err } from '../../domain/errors.js';

/** Liveness and readiness, without authentication. Readiness means the database answers. */
export function registerHealth(app: FastifyInstance, ctx: AppContext): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    try {
      await ctx.db.query('SELECT 1');
    } catch {
      throw err.unavailable('the database does not answer');
    }
    return { status: 'ready' };
  });
}
