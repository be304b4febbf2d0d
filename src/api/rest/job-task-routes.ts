import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { jobTaskService } from '../services/job-task-service.js';
import { messageFromQueryString } from './query-string.js';
import { bodyOf, registerVerbs } from './verb-routes.js';

type QueryString = Record<string, string | string[] | undefined>;

/**
 * JobTask: the seed document's routes exactly as written —
 *   GET  /cost-analysis/v1/job-task/{job_task_id}
 *   GET  /cost-analysis/v1/job-tasks            (filters from the query string)
 *   POST /cost-analysis/v1/job-tasks/search
 *   POST /cost-analysis/v1/job-tasks/stat
 * — plus `POST /cost-analysis[/v1]/job-task/{get,list,stat}`.
 */
export function jobTaskRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    registerVerbs(app, ctx, 'job-task', 'spaceone.api.cost_analysis.v1.JobTask', jobTaskService);
    const doc = (method: string, from?: 'query') =>
      ({
        kind: 'rpc',
        service: 'spaceone.api.cost_analysis.v1.JobTask',
        method,
        from,
        aliasOf: `/cost-analysis/v1/job-task/${method}`,
      }) as const;
    const get = { config: { doc: doc('get', 'query') } };
    app.get<{ Params: { job_task_id: string }; Querystring: QueryString }>('/cost-analysis/v1/job-task/:job_task_id', get, (request) =>
      jobTaskService.get(ctx, request.principal, {
        ...messageFromQueryString(request.query),
        job_task_id: request.params.job_task_id,
      }),
    );
    app.get<{ Querystring: QueryString }>('/cost-analysis/v1/job-tasks', { config: { doc: doc('list', 'query') } }, (request) =>
      jobTaskService.list(ctx, request.principal, messageFromQueryString(request.query)),
    );
    app.post('/cost-analysis/v1/job-tasks/search', { config: { doc: doc('list') } }, (request) =>
      jobTaskService.list(ctx, request.principal, bodyOf(request)),
    );
    app.post('/cost-analysis/v1/job-tasks/stat', { config: { doc: doc('stat') } }, (request) =>
      jobTaskService.stat(ctx, request.principal, bodyOf(request)),
    );
  };
}
