import { systemClock, type Clock } from '../domain/clock.js';
import { err } from '../domain/errors.js';
import { type AccessPolicy, type AccessRules, makeAccessPolicy } from './access/policy.js';
import { makeAwsCurPlugin } from './aws-cur/plugin.js';
import { makeAzureExportPlugin } from './azure-export/plugin.js';
import { makeFocusPlugin } from './focus/plugin.js';
import { makeGcpBillingPlugin } from './gcp-billing/plugin.js';
import { isGrpcEndpoint, parseEndpoint } from './grpc/endpoint.js';
import { makeGrpcPluginClient, type GrpcPluginOptions } from './grpc/client.js';
import { makeHttpFilePlugin } from './http-file/plugin.js';
import { makeOciReportPlugin } from './oci-report/plugin.js';
import type { PluginClient } from './plugin.js';
import { makeSyntheticPlugin } from './synthetic/plugin.js';

/** Finds the plugin a data source names in `plugin_info.plugin_id`. */
export interface PluginResolver {
  resolve(pluginId: string): PluginClient;
  /** Built-in plugin ids, for error messages and the CLI. */
  readonly builtins: readonly string[];
}

export interface PluginRegistryOptions {
  /** Plugin ids served over gRPC: id → `grpc://host:port` (config `pluginEndpoints`). */
  endpoints?: Readonly<Record<string, string>>;
  grpc?: GrpcPluginOptions;
  /** The date the built-in plugins see (the synthetic plugin's window and today). */
  clock?: Clock;
  /** What built-in plugins and plugin URLs may reach (config `access`); by default no local file and no private address. */
  access?: AccessRules;
  /** The synthetic plugin's fault switches (`hang_task`, …) work only when this is on (`COSTSYNC_SYNTHETIC_FAULTS`). */
  syntheticFaults?: boolean;
}

/** A remote plugin whose every call first checks, against the policy, the address it would reach. */
function reachingThrough(access: AccessPolicy, url: string, client: PluginClient): PluginClient {
  const { address } = parseEndpoint(url);
  const colon = address.lastIndexOf(':');
  const check = () => access.host(address.slice(0, colon), Number(address.slice(colon + 1)));
  return {
    async init(request, signal) {
      await check();
      return client.init(request, signal);
    },
    async verify(request, signal) {
      await check();
      return client.verify(request, signal);
    },
    async getTasks(request, signal) {
      await check();
      return client.getTasks(request, signal);
    },
    async *getData(request, signal) {
      await check();
      yield* client.getData(request, signal);
    },
    async getLinkedAccounts(request, signal) {
      await check();
      return client.getLinkedAccounts!(request, signal);
    },
  };
}

/**
 * Built-in plugins by id; a `grpc://host:port` or `grpc+ssl://host:port` plugin id, or an id
 * mapped to such an endpoint, is a remote plugin reached over gRPC (one client per endpoint).
 */
export function makePluginRegistry(extra: Record<string, PluginClient> = {}, options: PluginRegistryOptions = {}): PluginResolver {
  const access = makeAccessPolicy(options.access);
  const plugins: Record<string, PluginClient> = {
    synthetic: makeSyntheticPlugin(options.clock ?? systemClock, { faults: options.syntheticFaults ?? false }),
    'http-file': makeHttpFilePlugin(access),
    focus: makeFocusPlugin(access),
    'aws-cur': makeAwsCurPlugin(access),
    'azure-cost-export': makeAzureExportPlugin(access),
    'gcp-billing-export': makeGcpBillingPlugin(access),
    'oci-cost-report': makeOciReportPlugin(access),
    ...extra,
  };
  const remote = new Map<string, PluginClient>();
  return {
    builtins: Object.keys(plugins),
    resolve(pluginId) {
      if (Object.hasOwn(plugins, pluginId)) return plugins[pluginId];
      const configured = options.endpoints && Object.hasOwn(options.endpoints, pluginId) ? options.endpoints[pluginId] : undefined;
      const url = configured ?? (isGrpcEndpoint(pluginId) ? pluginId : undefined);
      if (url) {
        if (!remote.has(url)) {
          const client = makeGrpcPluginClient(url, options.grpc);
          // An endpoint the operator configured is trusted; one a data source names must pass the access policy.
          remote.set(url, configured ? client : reachingThrough(access, url, client));
        }
        return remote.get(url)!;
      }
      throw err.invalid(
        'plugin_info.plugin_id',
        `unknown plugin "${pluginId}"; available: ${Object.keys(plugins).join(', ')}, or a gRPC endpoint grpc://host:port`,
      );
    },
  };
}
