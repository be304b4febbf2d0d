import { err } from '../domain/errors.js';
import type { PluginClient } from './plugin.js';
import { makeSyntheticPlugin } from './synthetic/plugin.js';

/** Finds the plugin a data source names in `plugin_info.plugin_id`. */
export interface PluginResolver {
  resolve(pluginId: string): PluginClient;
  /** Built-in plugin ids, for error messages and the CLI. */
  readonly builtins: readonly string[];
}

export function makePluginRegistry(extra: Record<string, PluginClient> = {}): PluginResolver {
  const plugins: Record<string, PluginClient> = { synthetic: makeSyntheticPlugin(), ...extra };
  return {
    builtins: Object.keys(plugins),
    resolve(pluginId) {
      const plugin = plugins[pluginId];
      if (!plugin) {
        throw err.invalid('plugin_info.plugin_id', `unknown plugin "${pluginId}"; available: ${Object.keys(plugins).join(', ')}`);
      }
      return plugin;
    },
  };
}
