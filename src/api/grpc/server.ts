import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AppContext } from '../../app/context.js';
import { API_SERVICES, unaryHandler } from './api-services.js';
import { requestCodec } from '../../wire/codec.js';
import { wireDescriptors } from '../../wire/descriptors.js';
import { bindGrpcServer, newGrpcServer, stopGrpcServer } from '../../wire/grpc-server.js';
import { addHealth, HEALTH_SERVICE } from '../../wire/health.js';
import { addReflection } from '../../wire/reflection.js';
import { serviceDefinition } from '../../wire/service-definition.js';

export interface RunningGrpcServer {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The gRPC API: spaceone.api.cost_analysis.v1 Job, JobTask, DataSource, DataSourceAccount and Cost (metadata
 * `token` for auth), with server reflection (v1alpha and v1) and the standard health service.
 * Binds `ctx.config.grpc.host` (port 0 picks a free port).
 */
export async function startGrpcServer(ctx: AppContext, port: number): Promise<RunningGrpcServer> {
  const descriptors = wireDescriptors();
  const server = newGrpcServer();
  for (const [typeName, functions] of Object.entries(API_SERVICES)) {
    const service = descriptors.service(typeName);
    const handlers: UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const call = functions[method.name];
      if (!call) throw new Error(`${typeName}.${method.name} has no service function`);
      handlers[method.name] = unaryHandler(ctx, `${typeName}/${method.name}`, call);
    }
    const requests = Object.fromEntries(service.methods.map((method) => [method.name, { request: requestCodec(method.input) }]));
    server.addService(serviceDefinition(service, requests), handlers);
  }
  const names = [...Object.keys(API_SERVICES), HEALTH_SERVICE];
  const health = addHealth(server, Object.keys(API_SERVICES));
  addReflection(server, descriptors, names);
  const bound = await bindGrpcServer(server, ctx.config.grpc.host, port);
  ctx.log.info({ port: bound }, 'gRPC API listening');
  return {
    port: bound,
    async stop() {
      health.stopping();
      await stopGrpcServer(server);
    },
  };
}
