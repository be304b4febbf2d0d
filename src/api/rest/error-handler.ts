import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

/**
 * Errors Fastify's router raises before a route runs (a malformed URL, an id longer than the
 * router allows), in the same shape as every other error.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const mapped =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? err.invalid('path', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters; ids are shorter`)
      : err.invalid('path', 'the URL is malformed (check its percent-encoding)');
  void reply.status(mapped.httpStatus).send(mapped.toBody());
}

/** Longest path parameter (an id) the router takes. */
export const MAX_PARAM_LENGTH = 100;

/**
 * Errors Node's HTTP parser raises before Fastify sees a request, answered on the socket in the
 * same `{"detail": {"code", "message"}}` shape: headers (the URL included) over Node's limit are
 * 431 (HTTP's status for it) with ERROR_REQUEST_TOO_LARGE, anything else 400.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, failure] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          new CostsyncError(
            'ERROR_REQUEST_TOO_LARGE',
            'The request headers and URL are too large (16 KB); send long queries in a POST body.',
          ),
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, err.invalid('request', 'the request did not arrive in time')]
        : [400, err.invalid('request', 'the HTTP request is malformed')];
  const body = JSON.stringify(failure.toBody());
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
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
