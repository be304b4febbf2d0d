import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import type { AppContext } from '../../app/context.js';
import { verifyToken } from '../../auth/tokens.js';
import { rejectUnsafeInput, type Json } from '../../query/input.js';
import { costService } from '../services/cost-service.js';
import { dataSourceAccountService } from '../services/data-source-account-service.js';
import { dataSourceService } from '../services/data-source-service.js';
import { jobService } from '../services/job-service.js';
import { jobTaskService } from '../services/job-task-service.js';
import type { Wire } from '../views.js';
import { refusalOf, type JsonMessage } from '../../wire/codec.js';
import { toServiceError } from './status.js';

type ServiceCall = (ctx: AppContext, principal: Awaited<ReturnType<typeof verifyToken>>, request: Json) => Promise<Wire> | Promise<void>;

/** The API's gRPC services and the service functions behind them: the same ones REST calls. */
export const API_SERVICES: Record<string, Record<string, ServiceCall>> = {
  'spaceone.api.cost_analysis.v1.Job': jobService,
  'spaceone.api.cost_analysis.v1.JobTask': jobTaskService,
  'spaceone.api.cost_analysis.v1.DataSource': dataSourceService,
  'spaceone.api.cost_analysis.v1.DataSourceAccount': dataSourceAccountService,
  'spaceone.api.cost_analysis.v1.Cost': costService,
};

/** The first value of metadata key `token` (the upstream's auth header). */
function tokenOf(call: ServerUnaryCall<JsonMessage, JsonMessage>): string | undefined {
  const [value] = call.metadata.get('token');
  return typeof value === 'string' ? value : value?.toString('utf8');
}

/** A unary handler: authenticate, call the service function, answer its JSON or the error's status. */
export function unaryHandler(ctx: AppContext, method: string, serviceCall: ServiceCall) {
  return async (call: ServerUnaryCall<JsonMessage, JsonMessage>, callback: sendUnaryData<JsonMessage>) => {
    try {
      const principal = await verifyToken(ctx.tokenKey, tokenOf(call));
      const refusal = refusalOf(call.request);
      if (refusal) throw refusal;
      const request = call.request as Json;
      rejectUnsafeInput(request);
      callback(null, (await serviceCall(ctx, principal, request)) ?? {});
    } catch (error) {
      const serviceError = toServiceError(error);
      if (serviceError.details?.startsWith('ERROR_UNKNOWN')) ctx.log.error({ err: error, method }, 'gRPC call failed');
      callback(serviceError);
    }
  };
}
