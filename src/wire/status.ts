import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/**
 * The one rule for gRPC status ⇄ `ERROR_*` codes, as upstream's framework writes them: the
 * status details are `"ERROR_CODE: message"`, whoever sends them (the API, a plugin served
 * with costsync/sdk), and whoever reads them (the plugin client) takes them apart the same way.
 */

export function statusDetails(code: string, message: string): string {
  return `${code}: ${message}`;
}

const DETAILS = /^\s*(ERROR_[A-Z0-9_]+)\s*:([\s\S]*)$/;

/** `"ERROR_X: message"` → `{code: 'ERROR_X', message}` (trimmed; the code when empty), else undefined. */
export function parseStatusDetails(details: string): { code: string; message: string } | undefined {
  const coded = DETAILS.exec(details);
  return coded ? { code: coded[1], message: coded[2].trim() || coded[1] } : undefined;
}

/** Statuses worth another attempt: the peer (or the way to it) was not there, too slow or too busy. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set<number>([
  status.UNAVAILABLE,
  status.DEADLINE_EXCEEDED,
  status.RESOURCE_EXHAUSTED,
]);

/** A status to send: its code, details in the convention, no custom metadata (errors go trailers-only). */
export function serviceError(grpcStatus: status, code: string, message: string): Partial<ServiceError> {
  return { code: grpcStatus, details: statusDetails(code, message), metadata: new Metadata() };
}

/** Plugin codes for bad input: the caller's fault. */
const CALLER_FAULT = /^ERROR_(REQUIRED_PARAMETER|INVALID_\w+|NOT_SUPPORT\w*)$/;

/**
 * The status a plugin answers an error with, as plugins of upstream's framework do:
 * UNAVAILABLE when it is transient (the caller retries), INVALID_ARGUMENT for bad input,
 * INTERNAL otherwise.
 */
export function pluginErrorStatus(code: string, transient: boolean): status {
  return transient ? status.UNAVAILABLE : CALLER_FAULT.test(code) ? status.INVALID_ARGUMENT : status.INTERNAL;
}
