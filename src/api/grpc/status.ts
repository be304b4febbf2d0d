import { status, type ServiceError } from '@grpc/grpc-js';
import { toCostsyncError } from '../../domain/errors.js';
import { serviceError } from '../../wire/status.js';

/** A thrown error as the status the API answers: the error code's gRPC status (domain/errors.ts), details in the convention. */
export function toServiceError(error: unknown): Partial<ServiceError> {
  const failure = toCostsyncError(error);
  return serviceError(status[failure.grpcStatus], failure.code, failure.message);
}
