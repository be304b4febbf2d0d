import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { makeMetrics } from '../../metrics/registry.js';

/**
 * `GET /metrics`: Prometheus text exposition, without authentication (like /healthz). Every
 * answered request is observed by its route pattern (`/cost-analysis/v1/job-task/:job_task_id`,
 * never the URL, so ids do not become labels) and logged once, at debug.
 */
export function registerMetrics(app: FastifyInstance, ctx: AppContext): void {
  const metrics = makeMetrics(ctx.db);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug(
      { method: request.method, url: request.url, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
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
