import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { jobService } from '../services/job-service.js';
import { registerVerbs } from './verb-routes.js';

/** `POST /cost-analysis/v1/job/{cancel,get,list,stat}` (seed document) and the console form. */
export function jobRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => registerVerbs(app, ctx, 'job', 'spaceone.api.cost_analysis.v1.Job', jobService);
}
