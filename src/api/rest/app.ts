import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { collectRoutes } from '../openapi/route-doc.js';
import { registerApiReference } from './api-reference.js';
import { requireAuthentication } from './auth.js';
import { costRoutes } from './cost-routes.js';
import { dataSourceAccountRoutes } from './data-source-account-routes.js';
import { dataSourceRoutes } from './data-source-routes.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling, MAX_PARAM_LENGTH } from './error-handler.js';
import { registerHealth } from './health.js';
import { jobRoutes } from './job-routes.js';
import { jobTaskRoutes } from './job-task-routes.js';
import { registerMetrics } from './metrics.js';
import { installJsonBodyParser } from './verb-routes.js';
import { registerWebStatic } from './web-static.js';

/** Request bodies larger than this are refused with 413 ERROR_REQUEST_TOO_LARGE. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The REST API. Health, metrics, the API reference (/openapi.json, /docs) and the dashboard's files are open; every API route sits in one encapsulated context
 * whose `onRequest` hook turns the bearer token into `request.principal` before anything
 * else runs. Nothing here decides visibility: services do, through auth/scope.ts.
 */
export function buildRestApp(ctx: AppContext): FastifyInstance {
  // pino's Logger is a FastifyBaseLogger; the cast only drops pino's extra generic surface.
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    // One line per request, at debug (metrics.ts), instead of Fastify's two at info.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  });
  const routes = collectRoutes(app);
  installErrorHandling(app);
  installJsonBodyParser(app);
  registerApiReference(app, routes);
  registerHealth(app, ctx);
  registerMetrics(app, ctx);
  registerWebStatic(app);
  app.register(async (api) => {
    requireAuthentication(api, ctx);
    await api.register(jobRoutes(ctx));
    await api.register(jobTaskRoutes(ctx));
    await api.register(dataSourceRoutes(ctx));
    await api.register(dataSourceAccountRoutes(ctx));
    await api.register(costRoutes(ctx));
  });
  return app;
}
