import type { Server, ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import type { JsonMessage } from './codec.js';
import { fileWithDependencies, type WireDescriptors } from './descriptors.js';
import { serviceDefinition } from './service-definition.js';

/**
 * gRPC server reflection (v1alpha, which the upstream Python client uses, and v1), answered
 * from the canonical descriptor set: `list_services`, `file_containing_symbol` and
 * `file_by_filename` return protoc's FileDescriptorProtos, each with its dependencies.
 * Extensions are not used by these protocols: extension queries answer NOT_FOUND.
 */
export const REFLECTION_SERVICES = ['grpc.reflection.v1alpha.ServerReflection', 'grpc.reflection.v1.ServerReflection'];

export function addReflection(server: Server, descriptors: WireDescriptors, serviceNames: readonly string[]): void {
  const listed = [...serviceNames, ...REFLECTION_SERVICES];
  for (const name of REFLECTION_SERVICES) {
    server.addService(serviceDefinition(descriptors.service(name)), {
      ServerReflectionInfo: (call: ServerDuplexStream<JsonMessage, JsonMessage>) => {
        call.on('data', (request: JsonMessage) => call.write(answer(descriptors, listed, request)));
        call.on('end', () => call.end());
        call.on('error', () => {});
      },
    });
  }
}

export function answer(descriptors: WireDescriptors, services: readonly string[], request: JsonMessage): JsonMessage {
  const reply = (response: JsonMessage): JsonMessage => ({ valid_host: request.host ?? '', original_request: request, ...response });
  const files = (fileName: string) =>
    reply({
      file_descriptor_response: {
        file_descriptor_proto: fileWithDependencies(descriptors, fileName).map((bytes) => Buffer.from(bytes).toString('base64')),
      },
    });
  const notFound = (what: string) => reply({ error_response: { error_code: status.NOT_FOUND, error_message: `${what} not found` } });

  if ('list_services' in request) return reply({ list_services_response: { service: services.map((name) => ({ name })) } });
  if (typeof request.file_by_filename === 'string') {
    const name = request.file_by_filename;
    return descriptors.fileBytes.has(name) ? files(name) : notFound(`file ${name}`);
  }
  if (typeof request.file_containing_symbol === 'string') {
    const symbol = request.file_containing_symbol.replace(/^\./, '');
    const file = descriptors.symbols.get(symbol);
    return file ? files(file) : notFound(`symbol ${symbol}`);
  }
  if ('file_containing_extension' in request) return notFound('extension');
  if (typeof request.all_extension_numbers_of_type === 'string') {
    const type = request.all_extension_numbers_of_type;
    return descriptors.symbols.has(type)
      ? reply({ all_extension_numbers_response: { base_type_name: type, extension_number: [] } })
      : notFound(`type ${type}`);
  }
  return reply({ error_response: { error_code: status.INVALID_ARGUMENT, error_message: 'empty reflection request' } });
}
