import { Server, ServerCredentials, type ChannelOptions } from '@grpc/grpc-js';

/** Message size limit both ways, as the upstream framework sets it (spec §1.3). */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export const CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
};

export function newGrpcServer(): Server {
  return new Server(CHANNEL_OPTIONS);
}

/** Binds plain-text on `host:port` (port 0: any free port) and answers the bound port. */
export function bindGrpcServer(server: Server, host: string, port: number): Promise<number> {
  const address = host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (error, bound) => {
      if (error) reject(new Error(`cannot listen for gRPC on ${address}: ${error.message}`));
      else resolve(bound);
    });
  });
}

/** Lets calls in flight finish for up to `graceMs`, then cuts the rest (streams included). */
export function stopGrpcServer(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.forceShutdown(), graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
