import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { makeMetrics } from '../../metrics/registry.js';

/** `GET /metrics`: Prometheus text exposition, without authentication (like /healthz). */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  const metrics = makeMetrics(ctx.db);
  const doc = {
    kind: 'plain',
    tag: 'Operations',
    summary: 'Prometheus metrics (text exposition format)',
    contentType: 'text/plain',
  } as const;
  app.get('/metrics', { config: { doc } }, async (_request, reply) =>
    reply
      .type(metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.scrape()),
  );
}
