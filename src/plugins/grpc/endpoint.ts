/**
 * Plugin endpoints as the upstream writes them: `grpc://host:port` (plain text) or
 * `grpc+ssl://host:port` (TLS with the default roots).
 */
export interface PluginEndpoint {
  /** `host:port`, as grpc-js takes it. */
  readonly address: string;
  readonly secure: boolean;
  readonly url: string;
}

const ENDPOINT = /^grpc(\+ssl)?:\/\/([^/\s]+):(\d{1,5})\/?$/;

export function isGrpcEndpoint(value: string): boolean {
  const match = ENDPOINT.exec(value);
  return match !== null && Number(match[3]) <= 65535;
}

export function parseEndpoint(url: string): PluginEndpoint {
  const match = ENDPOINT.exec(url);
  if (!match || !isGrpcEndpoint(url)) {
    throw new Error(`plugin endpoint "${url}" must be grpc://host:port or grpc+ssl://host:port`);
  }
  return { address: `${match[2]}:${match[3]}`, secure: Boolean(match[1]), url };
}
