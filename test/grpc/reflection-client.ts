import { credentials, makeGenericClientConstructor, type ClientDuplexStream } from '@grpc/grpc-js';
import type { JsonMessage } from '../../src/wire/codec.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { serviceDefinition } from '../../src/wire/service-definition.js';

/** A reflection client for tests: one request, one answer, over a fresh stream each time. */
export function reflectionClient(address: string, version: 'v1alpha' | 'v1' = 'v1alpha') {
  const definition = serviceDefinition(wireDescriptors().service(`grpc.reflection.${version}.ServerReflection`));
  const Client = makeGenericClientConstructor(definition, 'ServerReflection');
  const client = new Client(address, credentials.createInsecure());
  const ask = (request: JsonMessage): Promise<JsonMessage> =>
    new Promise((resolve, reject) => {
      const stream = (client as any).ServerReflectionInfo() as ClientDuplexStream<JsonMessage, JsonMessage>;
      stream.once('data', (answer: JsonMessage) => {
        resolve(answer);
        stream.end();
      });
      stream.once('error', reject);
      stream.write(request);
    });
  return {
    ask,
    async listServices(): Promise<string[]> {
      const answer = await ask({ list_services: '*' });
      return ((answer.list_services_response as any)?.service ?? []).map((s: { name: string }) => s.name);
    },
    /** The base64 FileDescriptorProtos of the file defining `symbol`, with its dependencies. */
    async fileContainingSymbol(symbol: string): Promise<string[]> {
      const answer = await ask({ file_containing_symbol: symbol });
      if (answer.error_response) throw new Error(`reflection: ${JSON.stringify(answer.error_response)}`);
      return (answer.file_descriptor_response as any).file_descriptor_proto;
    },
    close: () => client.close(),
  };
}
