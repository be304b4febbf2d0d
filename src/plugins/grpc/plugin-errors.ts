import { status, type ServiceError } from '@grpc/grpc-js';
import { parseStatusDetails, TRANSIENT_STATUSES } from '../../wire/status.js';
import { PluginError } from '../plugin.js';

/** Socket-level failures grpc-js may report under other statuses. */
const CONNECTION_LOST = /ECONNRESET|ECONNREFUSED|EPIPE|Connection dropped|RST_STREAM|socket hang up|stream closed|GOAWAY/i;

/**
 * A failed plugin call as a PluginError. Details `"ERROR_X: message"` (how plugins report
 * their errors) become code ERROR_X and the trimmed message; otherwise the status names the
 * failure: ERROR_GRPC_CONNECTION (unreachable, connection lost), ERROR_REQUEST_TIMEOUT
 * (deadline), ERROR_PLUGIN (anything else). Unreachable, lost and late are transient.
 */
export function toPluginError(error: unknown, call: string): PluginError {
  if (error instanceof PluginError) return error;
  const serviceError = error as Partial<ServiceError>;
  if (typeof serviceError?.code !== 'number') {
    return new PluginError('ERROR_PLUGIN', `${call}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const details = serviceError.details ?? '';
  if (serviceError.code === status.RESOURCE_EXHAUSTED && /larger than max/i.test(details)) {
    return new PluginError(
      'ERROR_INVALID_PARAMETER',
      `${call}: a message from the plugin is larger than COSTSYNC_PAGE_MAX_BYTES (${details}); send smaller pages`,
    );
  }
  const transient = TRANSIENT_STATUSES.has(serviceError.code) || CONNECTION_LOST.test(details);
  const coded = parseStatusDetails(details);
  if (coded) return new PluginError(coded.code, coded.message, transient);
  const statusName = status[serviceError.code] ?? String(serviceError.code);
  if (serviceError.code === status.DEADLINE_EXCEEDED) {
    return new PluginError('ERROR_REQUEST_TIMEOUT', `${call}: the plugin did not answer in time (${details})`, true);
  }
  if (transient) return new PluginError('ERROR_GRPC_CONNECTION', `${call}: plugin unavailable (${statusName}: ${details})`, true);
  return new PluginError('ERROR_PLUGIN', `${call}: ${statusName}: ${details}`);
}
