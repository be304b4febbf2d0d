import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { wireDescriptors } from '../api/grpc/descriptors.js';
import { bindGrpcServer, newGrpcServer, stopGrpcServer } from '../api/grpc/grpc-server.js';
import { addHealth, HEALTH_SERVICE } from '../api/grpc/health.js';
import { addReflection } from '../api/grpc/reflection.js';
import { serviceDefinition } from '../api/grpc/service-definition.js';
import { costPageCodecs } from '../plugins/grpc/cost-page-codec.js';
import type { PluginClient } from '../plugins/plugin.js';
import { pluginHandlers } from './handlers.js';
import { definePlugin, type CostDataSourcePlugin } from './plugin-definition.js';

export interface ServeOptions {
  /** Default 0.0.0.0 (plugins run in their own container or host). */
  readonly host?: string;
  /** Default 50051, the port SpaceONE expects; 0 picks a free port. */
  readonly port?: number;
}

export interface RunningPlugin {
  readonly port: number;
  stop(): Promise<void>;
}

const PACKAGE = 'spaceone.api.cost_analysis.plugin';
export const PLUGIN_SERVICES = ['DataSource', 'Job', 'Cost'].map((name) => `${PACKAGE}.${name}`);

/**
 * Serves a plugin over gRPC as SpaceONE requires: the plugin services DataSource, Job and
 * Cost, server reflection (v1alpha and v1, canonical descriptors) and grpc.health.v1.
 *
 * @example
 * import { servePlugin } from 'costsync/sdk';
 * await servePlugin({ getTasks: async () => ({ tasks: [] }), async *getData() {} }, { port: 50051 });
 */
export async function servePlugin(plugin: CostDataSourcePlugin | PluginClient, options: ServeOptions = {}): Promise<RunningPlugin> {
  const descriptors = wireDescriptors();
  const handlers = pluginHandlers(definePlugin(plugin));
  const server = newGrpcServer();
  for (const [name, implementation] of Object.entries(handlers)) {
    const codecs = name === 'Cost' ? costPageCodecs() : {};
    server.addService(serviceDefinition(descriptors.service(`${PACKAGE}.${name}`), codecs), implementation as UntypedServiceImplementation);
  }
  const health = addHealth(server, PLUGIN_SERVICES);
  addReflection(server, descriptors, [...PLUGIN_SERVICES, HEALTH_SERVICE]);
  const port = await bindGrpcServer(server, options.host ?? '0.0.0.0', options.port ?? 50051);
  return {
    port,
    async stop() {
      health.stopping();
      await stopGrpcServer(server, 2_000);
    },
  };
}
