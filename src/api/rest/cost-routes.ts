import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { costService } from '../services/cost-service.js';
import { registerVerbs } from './verb-routes.js';

/** `POST /cost-analysis[/v1]/cost/{create,delete,get,list,stat}`; create and delete answer ERROR_NOT_SUPPORT_API. */
export function costRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => registerVerbs(app, ctx, 'cost', 'spaceone.api.cost_analysis.v1.Cost', costService);
}
