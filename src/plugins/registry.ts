import { systemClock, type Clock } from '../domain/clock.js';
import { err } from '../domain/errors.js';
import { makeFocusPlugin } from './focus/plugin.js';
import { isGrpcEndpoint } from './grpc/endpoint.js';
import { makeGrpcPluginClient, type GrpcPluginOptions } from './grpc/client.js';
import { makeHttpFilePlugin } from './http-file/plugin.js';
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
}

/**
 * Built-in plugins by id; a `grpc://host:port` or `grpc+ssl://host:port` plugin id, or an id
 * mapped to such an endpoint, is a remote plugin reached over gRPC (one client per endpoint).
 */
export function makePluginRegistry(extra: Record<string, PluginClient> = {}, options: PluginRegistryOptions = {}): PluginResolver {
  const plugins: Record<string, PluginClient> = {
    synthetic: makeSyntheticPlugin(options.clock ?? systemClock),
    'http-file': makeHttpFilePlugin(),
    focus: makeFocusPlugin(),
    ...extra,
  };
  const remote = new Map<string, PluginClient>();
  return {
    builtins: Object.keys(plugins),
    resolve(pluginId) {
      const plugin = plugins[pluginId];
      if (plugin) return plugin;
      const url = options.endpoints?.[pluginId] ?? (isGrpcEndpoint(pluginId) ? pluginId : undefined);
      if (url) {
        if (!remote.has(url)) remote.set(url, makeGrpcPluginClient(url, options.grpc));
        return remote.get(url)!;
      }
      throw err.invalid(
        'plugin_info.plugin_id',
        `unknown plugin "${pluginId}"; available: ${Object.keys(plugins).join(', ')}, or a gRPC endpoint grpc://host:port`,
      );
    },
  };
}
