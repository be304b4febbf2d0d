import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { toCostsyncError } from '../../domain/errors.js';

/**
 * A thrown error as the gRPC status the upstream framework sends: the error's gRPC status
 * code and the details `"ERROR_CODE: message"`.
 */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const failure = toCostsyncError(error);
  return { code: status[failure.grpcStatus], details: `${failure.code}: ${failure.message}`, metadata: new Metadata() };
}
