import { connect, createServer, type Socket } from 'node:net';

/** Forwards TCP connections made to `listenHost` (any free port) to `host:port`: the host side of a simulated machine's link. */
export interface Relay {
  readonly port: number;
  close(): Promise<void>;
}

export async function startRelay(listenHost: string, host: string, port: number): Promise<Relay> {
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(port, host);
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on('error', () => socket.destroy());
      socket.on('close', () => open.delete(socket));
    }
    inbound.pipe(outbound).on('close', () => inbound.destroy());
    outbound.pipe(inbound).on('close', () => outbound.destroy());
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, listenHost, resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the relay has no port');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
