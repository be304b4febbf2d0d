import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { wireDescriptors } from '../wire/descriptors.js';
import { bindGrpcServer, newGrpcServer, stopGrpcServer } from '../wire/grpc-server.js';
import { addHealth, HEALTH_SERVICE } from '../wire/health.js';
import { addReflection } from '../wire/reflection.js';
import { serviceDefinition } from '../wire/service-definition.js';
import { costPageCodecs } from '../wire/cost-page-codec.js';
import type { PluginClient } from '../plugins/plugin.js';
import { pluginHandlers } from './handlers.js';
import { definePlugin, type CostDataSourcePlugin } from './plugin-definition.js';

export interface ServeOptions {
  /** Default 127.0.0.1: only this machine. In a container of its own, serve on 0.0.0.0. */
  readonly host?: string;
  /** Default 50061 (clear of costsync's own API on 50051); 0 picks a free port. */
  readonly port?: number;
  /** What `spaceone.api.core.v1.ServerInfo/get_version` answers (default `0.0.0`). */
  readonly version?: string;
}

export const DEFAULT_PLUGIN_HOST = '127.0.0.1';
export const DEFAULT_PLUGIN_PORT = 50061;
const SERVER_INFO = 'spaceone.api.core.v1.ServerInfo';

export interface RunningPlugin {
  readonly port: number;
  stop(): Promise<void>;
}

const PACKAGE = 'spaceone.api.cost_analysis.plugin';
export const PLUGIN_SERVICES = ['DataSource', 'Job', 'Cost'].map((name) => `${PACKAGE}.${name}`);

/**
 * Serves a plugin over gRPC as SpaceONE requires: the plugin services DataSource, Job and
 * Cost, spaceone.api.core.v1.ServerInfo, server reflection (v1alpha and v1, canonical
 * descriptors) and grpc.health.v1.
 *
 * @example
 * import { servePlugin } from 'costsync/sdk';
 * await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 50061 });
 */
export async function servePlugin(plugin: CostDataSourcePlugin | PluginClient, options: ServeOptions = {}): Promise<RunningPlugin> {
  const descriptors = wireDescriptors();
  const handlers = pluginHandlers(definePlugin(plugin));
  const server = newGrpcServer();
  for (const [name, implementation] of Object.entries(handlers)) {
    const codecs = name === 'Cost' ? costPageCodecs() : {};
    server.addService(serviceDefinition(descriptors.service(`${PACKAGE}.${name}`), codecs), implementation as UntypedServiceImplementation);
  }
  const version = options.version ?? '0.0.0';
  server.addService(serviceDefinition(descriptors.service(SERVER_INFO)), {
    get_version: (_call: unknown, callback: (error: null, answer: { version: string }) => void) => callback(null, { version }),
  });
  const health = addHealth(server, [...PLUGIN_SERVICES, SERVER_INFO]);
  addReflection(server, descriptors, [...PLUGIN_SERVICES, SERVER_INFO, HEALTH_SERVICE]);
  const port = await bindGrpcServer(server, options.host ?? DEFAULT_PLUGIN_HOST, options.port ?? DEFAULT_PLUGIN_PORT);
  return {
    port,
    async stop() {
      health.stopping();
      await stopGrpcServer(server, 2_000);
    },
  };
}
