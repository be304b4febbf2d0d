import {
  Channel,
  credentials,
  type ChannelOptions,
  makeGenericClientConstructor,
  Metadata,
  type ServiceClientConstructor,
} from '@grpc/grpc-js';
import type { JsonMessage } from '../../wire/codec.js';
import { wireDescriptors } from '../../wire/descriptors.js';
import { CHANNEL_OPTIONS } from '../../wire/grpc-server.js';
import { serviceDefinition } from '../../wire/service-definition.js';
import type { CostInfo, PluginClient, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { costPageCodecs } from '../../wire/cost-page-codec.js';
import { parseEndpoint } from './endpoint.js';
import { toPluginError } from './plugin-errors.js';

/** A client of one plugin service: its methods by name (`get_tasks`, `get_data`, …). */
type ServiceClient = InstanceType<ServiceClientConstructor>;

export interface GrpcPluginOptions {
  /** Deadline of init, verify and get_tasks (the caller's signal may end them sooner). Default 180 s. */
  readonly unaryTimeoutMs?: number;
  /** Extra attempts of a unary call after a transient failure. Default 2. */
  readonly unaryRetries?: number;
  /** get_data fails (transiently) when no page arrives for this long. Default 5 min; 0 turns it off. */
  readonly streamStallMs?: number;
  /** The largest message (a get_data page) taken from a plugin (`COSTSYNC_PAGE_MAX_BYTES`). Default 32 MB. */
  readonly maxPageBytes?: number;
}

const DEFAULTS = { unaryTimeoutMs: 180_000, unaryRetries: 2, streamStallMs: 5 * 60_000, maxPageBytes: 32 * 1024 * 1024 };
const PLUGIN = 'spaceone.api.cost_analysis.plugin';

/** The metadata the upstream service sends to plugins. */
function pluginMetadata(): Metadata {
  const metadata = new Metadata();
  metadata.set('token', 'NO_TOKEN');
  return metadata;
}

export interface GrpcPluginClient extends PluginClient {
  close(): void;
}

/**
 * A data-source plugin served over gRPC (spaceone.api.cost_analysis.plugin), one channel per
 * endpoint. Requests carry every Struct (empty ones too: upstream plugins require them) and
 * `token: NO_TOKEN`. Unary calls have a deadline and are retried on transient failures; the
 * get_data stream has no deadline but a stall timeout, and is cancelled when `signal` aborts.
 */
export function makeGrpcPluginClient(url: string, options: GrpcPluginOptions = {}): GrpcPluginClient {
  const settings = { ...DEFAULTS, ...options };
  const endpoint = parseEndpoint(url);
  const descriptors = wireDescriptors();
  const channel = new Channel(endpoint.address, endpoint.secure ? credentials.createSsl() : credentials.createInsecure(), {
    ...CHANNEL_OPTIONS,
    'grpc.max_receive_message_length': settings.maxPageBytes,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    // The HTTP/2 window is what the plugin may send ahead of the engine. Pages of 1000 rows are
    // ~220 kB: the 64 kB default stalls the stream on every page; 1 MB keeps ~4 pages in flight
    // (8 MB kept ~36 per stream, all decoded into row objects, for no more speed).
    'grpc-node.flow_control_window': 1024 * 1024,
  } as ChannelOptions);
  const client = (service: string, codecs = {}): ServiceClient => {
    const Constructor = makeGenericClientConstructor(serviceDefinition(descriptors.service(`${PLUGIN}.${service}`), codecs), service);
    return new Constructor(endpoint.address, credentials.createInsecure(), { channelOverride: channel });
  };
  const dataSource = client('DataSource');
  const job = client('Job');
  const cost = client('Cost', costPageCodecs());

  const unary = async (target: ServiceClient, method: string, request: JsonMessage, signal?: AbortSignal): Promise<JsonMessage> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await unaryOnce(target, method, present(request), settings.unaryTimeoutMs, signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const failure = toPluginError(error, method);
        if (!failure.transient || attempt >= settings.unaryRetries) throw failure;
        await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      }
    }
  };

  return {
    async init({ options, domain_id }, signal) {
      const answer = await unary(dataSource, 'init', { options: options ?? {}, domain_id }, signal);
      return { metadata: (answer.metadata as Struct) ?? {} };
    },
    async verify({ options, secret_data, schema, domain_id }, signal) {
      await unary(dataSource, 'verify', { options: options ?? {}, secret_data: secret_data ?? {}, schema, domain_id }, signal);
    },
    async getTasks(request, signal) {
      const answer = await unary(
        job,
        'get_tasks',
        { ...request, options: request.options ?? {}, secret_data: request.secret_data ?? {} },
        signal,
      );
      return { tasks: [], ...answer } as Awaited<ReturnType<PluginClient['getTasks']>>;
    },
    async getLinkedAccounts({ options, secret_data, domain_id }, signal) {
      const answer = await unary(
        cost,
        'get_linked_accounts',
        { options: options ?? {}, secret_data: secret_data ?? {}, domain_id },
        signal,
      );
      return { results: Array.isArray(answer.results) ? (answer.results as { account_id: string; name?: string }[]) : [] };
    },
    getData(request, signal) {
      return streamPages(
        cost,
        present({
          ...request,
          options: request.options ?? {},
          secret_data: request.secret_data ?? {},
          task_options: request.task_options ?? {},
        }),
        signal,
        settings.streamStallMs,
      );
    },
    close: () => {
      for (const c of [dataSource, job, cost]) c.close();
      channel.close();
    },
  };
}

function unaryOnce(
  target: ServiceClient,
  method: string,
  request: JsonMessage,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<JsonMessage> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => call.cancel();
    const call = target[method](
      request,
      pluginMetadata(),
      { deadline: Date.now() + timeoutMs },
      (error: Error | null, answer: JsonMessage) => {
        signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(answer ?? {});
      },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function* streamPages(cost: ServiceClient, request: JsonMessage, signal: AbortSignal, stallMs: number): AsyncGenerator<CostInfo[]> {
  if (signal.aborted) throw signal.reason;
  const call = cost.get_data(request, pluginMetadata());
  let stalled = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    if (!stallMs) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      stalled = true;
      call.cancel();
    }, stallMs);
  };
  const onAbort = () => call.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  arm();
  try {
    for await (const page of call as AsyncIterable<{ results: CostInfo[] }>) {
      arm();
      yield page.results;
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (stalled) throw new PluginError('ERROR_PLUGIN_STALLED', `get_data: no page for ${Math.round(stallMs / 1000)} s`, true);
    throw toPluginError(error, 'get_data');
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    call.cancel();
  }
}

/**
 * The request without its unset fields: a field left `undefined` (verify's `schema`, get_tasks'
 * `start` on a scheduled sync) is not sent at all, as upstream leaves it unset.
 */
function present(request: object): JsonMessage {
  return Object.fromEntries(Object.entries(request).filter(([, value]) => value !== undefined)) as JsonMessage;
}
