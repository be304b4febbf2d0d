import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { dataSourceService } from '../services/data-source-service.js';
import { registerVerbs } from './verb-routes.js';

/** `POST /cost-analysis[/v1]/data-source/<verb>`: register, update, update-plugin, sync, … */
export function dataSourceRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) =>
    registerVerbs(app, ctx, 'data-source', 'spaceone.api.cost_analysis.v1.DataSource', dataSourceService);
}
