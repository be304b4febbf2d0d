import type { ServiceDefinition } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { messageCodec, type JsonMessage, type MessageCodec } from './codec.js';

/**
 * A grpc-js service definition for a service of the descriptor set, with plain-JSON messages
 * on the JavaScript side (codec.ts). Method names are the proto's own (`get_tasks`,
 * `ServerReflectionInfo`), so handlers are keyed by them. Used by servers and clients alike.
 */
export function serviceDefinition(service: DescService, codecs: Record<string, Partial<Codecs>> = {}): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    const request = codecs[method.name]?.request ?? messageCodec(method.input);
    const response = codecs[method.name]?.response ?? messageCodec(method.output);
    definition[method.name] = {
      path: `/${service.typeName}/${method.name}`,
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: (value: JsonMessage) => Buffer.from(request.encode(value)),
      requestDeserialize: (bytes: Buffer) => request.decode(bytes),
      responseSerialize: (value: JsonMessage) => Buffer.from(response.encode(value)),
      responseDeserialize: (bytes: Buffer) => response.decode(bytes),
      originalName: method.name,
    };
  }
  return definition;
}

export interface Codecs {
  request: MessageCodec;
  response: MessageCodec;
}
