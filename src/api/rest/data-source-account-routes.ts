import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { dataSourceAccountService } from '../services/data-source-account-service.js';
import { registerVerbs } from './verb-routes.js';

/** `POST /cost-analysis[/v1]/data-source-account/<verb>`: get, list, update, reset, stat (DOMAIN_ADMIN only). */
export function dataSourceAccountRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) =>
    registerVerbs(app, ctx, 'data-source-account', 'spaceone.api.cost_analysis.v1.DataSourceAccount', dataSourceAccountService);
}
