import type { FastifyError, FastifyInstance } from 'fastify';
import { CostsyncError, err, isCostsyncError, toCostsyncError } from '../../domain/errors.js';

/**
 * Every error leaves as `{"detail": {"code", "message"}}` with the status of its code.
 * Fastify's own errors (bad JSON, body too large, wrong content type, unknown route) become
 * ERROR_* codes too; anything unexpected is a 500 ERROR_UNKNOWN whose message reveals nothing
 * of the server (the details go to the log, under the request id).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toApiError(error, request.id);
    if (mapped.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(mapped.httpStatus).send(mapped.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(new CostsyncError('ERROR_NOT_FOUND', `Route not found. (${request.method} ${request.url.split('?')[0]})`).toBody()),
  );
}

const FASTIFY_ERRORS: Record<string, () => CostsyncError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => new CostsyncError('ERROR_REQUEST_TOO_LARGE', 'Request body is too large.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => err.invalid('body', 'the request body is not valid JSON'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => err.invalid('body', 'Content-Type is application/json but the body is empty; send {}'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () => err.invalid('Content-Type', 'send the body as application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => err.invalid('Content-Length', 'does not match the body'),
};

function toApiError(error: unknown, requestId: string): CostsyncError {
  if (isCostsyncError(error)) return error;
  const fastify = error as Partial<FastifyError>;
  const known = typeof fastify.code === 'string' ? FASTIFY_ERRORS[fastify.code] : undefined;
  if (known) return known();
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return err.invalid('request', fastify.message ?? 'bad request');
  }
  return toCostsyncError(error, requestId);
}
