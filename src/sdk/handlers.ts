import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceError } from '@grpc/grpc-js';
import type { JsonMessage } from '../wire/codec.js';
import { PluginError, type PluginClient } from '../plugins/plugin.js';
import { pluginErrorStatus, serviceError } from '../wire/status.js';

/** A thrown error as the status an upstream plugin sends (wire/status.ts). */
export function pluginStatus(error: unknown): Partial<ServiceError> {
  if (error instanceof PluginError) return serviceError(pluginErrorStatus(error.code, error.transient), error.code, error.message);
  return serviceError(status.INTERNAL, 'ERROR_UNKNOWN', error instanceof Error ? error.message : String(error));
}

type Unary = (call: ServerUnaryCall<JsonMessage, JsonMessage>, callback: sendUnaryData<JsonMessage>) => void;

function unary(run: (request: JsonMessage, signal: AbortSignal) => Promise<JsonMessage>): Unary {
  return (call, callback) => {
    const controller = new AbortController();
    call.on('cancelled', () => controller.abort(new Error('cancelled by the caller')));
    run(call.request ?? {}, controller.signal).then(
      (answer) => callback(null, answer),
      (error: unknown) => callback(pluginStatus(error)),
    );
  };
}

const struct = (value: unknown) => (value && typeof value === 'object' ? (value as Record<string, unknown>) : {});
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** The plugin's three gRPC services, keyed by service name, each a map of proto method → handler. */
export function pluginHandlers(plugin: PluginClient) {
  return {
    DataSource: {
      init: unary(async (request, signal) => plugin.init({ options: struct(request.options), domain_id: text(request.domain_id) }, signal)),
      verify: unary(async (request, signal) => {
        await plugin.verify(
          {
            options: struct(request.options),
            secret_data: struct(request.secret_data),
            domain_id: text(request.domain_id),
            ...(request.schema ? { schema: String(request.schema) } : {}),
          },
          signal,
        );
        return {};
      }),
    },
    Job: {
      get_tasks: unary(async (request, signal) => {
        const answer = await plugin.getTasks(
          {
            ...request,
            options: struct(request.options),
            secret_data: struct(request.secret_data),
            domain_id: text(request.domain_id),
          },
          signal,
        );
        return answer as unknown as JsonMessage;
      }),
    },
    Cost: {
      // Without getLinkedAccounts, the answer of upstream's framework for a method it declares
      // but the plugin does not implement: INTERNAL, "ERROR_UNKNOWN: Method not implemented!".
      get_linked_accounts: unary(async (request, signal) => {
        if (!plugin.getLinkedAccounts) throw new Error('Method not implemented!');
        const answer = await plugin.getLinkedAccounts(
          {
            options: struct(request.options),
            secret_data: struct(request.secret_data),
            domain_id: text(request.domain_id),
            ...(request.schema ? { schema: String(request.schema) } : {}),
          },
          signal,
        );
        return answer as unknown as JsonMessage;
      }),
      get_data: (call: ServerWritableStream<JsonMessage, JsonMessage>) => void streamData(plugin, call),
    },
  };
}

async function streamData(plugin: PluginClient, call: ServerWritableStream<JsonMessage, JsonMessage>): Promise<void> {
  const controller = new AbortController();
  const { signal } = controller;
  call.on('cancelled', () => controller.abort(new Error('get_data cancelled by the caller')));
  const request = call.request ?? {};
  try {
    const pages = plugin.getData(
      {
        options: struct(request.options),
        secret_data: struct(request.secret_data),
        task_options: struct(request.task_options),
        domain_id: text(request.domain_id),
        ...(request.schema ? { schema: String(request.schema) } : {}),
      },
      signal,
    );
    for await (const page of pages) {
      if (signal.aborted) return;
      if (!Array.isArray(page)) throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', 'getData must yield arrays of cost rows');
      if (!call.write({ results: page })) await drained(call, signal);
    }
    if (!signal.aborted) call.end();
  } catch (error) {
    if (!signal.aborted) call.emit('error', pluginStatus(error));
  }
}

/** Waits until the stream takes more data (HTTP/2 flow control) or the call ends. */
function drained(call: ServerWritableStream<JsonMessage, JsonMessage>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
