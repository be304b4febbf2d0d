import { credentials, makeGenericClientConstructor, Metadata } from '@grpc/grpc-js';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { messageCodec } from '../../src/wire/codec.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';

/**
 * Wire-level helpers for tests: call a unary method and get the response bytes, and read a
 * message's fields by number (varints as numbers, length-delimited as UTF-8 text when they
 * decode as such, else bytes), independently of any .proto file.
 */
export async function rawUnary(address: string, path: string, request: Record<string, unknown>, token: string): Promise<Uint8Array> {
  const [, serviceName, methodName] = /^\/(.+)\/([^/]+)$/.exec(path)!;
  const method = wireDescriptors()
    .service(serviceName)
    .methods.find((m) => m.name === methodName)!;
  const codec = messageCodec(method.input);
  const Client = makeGenericClientConstructor(
    {
      call: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: (value: Record<string, unknown>) => Buffer.from(codec.encode(value)),
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (bytes: Buffer) => bytes,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    },
    'Raw',
  );
  const client = new Client(address, credentials.createInsecure()) as any;
  const metadata = new Metadata();
  metadata.set('token', token);
  try {
    return await new Promise((resolve, reject) =>
      client.call(request, metadata, (error: Error | null, bytes: Buffer) => (error ? reject(error) : resolve(bytes))),
    );
  } finally {
    client.close();
  }
}

export function readFields(bytes: Uint8Array): Map<number, (number | string | Uint8Array)[]> {
  const reader = new BinaryReader(bytes);
  const fields = new Map<number, (number | string | Uint8Array)[]>();
  const add = (field: number, value: number | string | Uint8Array) => fields.set(field, [...(fields.get(field) ?? []), value]);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (wireType === WireType.Varint) add(field, Number(reader.int64()));
    else if (wireType === WireType.Bit64) add(field, reader.double());
    else if (wireType === WireType.LengthDelimited) {
      const value = reader.bytes();
      const text = new TextDecoder('utf-8', { fatal: false }).decode(value);
      add(field, /^[\x20-\x7e]*$/.test(text) ? text : value);
    } else reader.skip(wireType);
  }
  return fields;
}

/** Sends `bytes` as the request of a unary method, undecoded; resolves to the status the server answered. */
export async function rawBytesUnary(
  address: string,
  path: string,
  bytes: Uint8Array,
  token: string,
  timeoutMs: number,
): Promise<{ code: number; details: string }> {
  const identity = (value: Buffer) => value;
  const Client = makeGenericClientConstructor(
    {
      call: {
        path,
        requestStream: false,
        responseStream: false,
        requestSerialize: identity,
        requestDeserialize: identity,
        responseSerialize: identity,
        responseDeserialize: identity,
      },
    },
    'RawBytes',
  );
  const client = new Client(address, credentials.createInsecure()) as any;
  const metadata = new Metadata();
  metadata.set('token', token);
  try {
    return await new Promise((resolve) =>
      client.call(Buffer.from(bytes), metadata, { deadline: Date.now() + timeoutMs }, (error: { code: number; details: string } | null) =>
        resolve(error ? { code: error.code, details: error.details } : { code: 0, details: '' }),
      ),
    );
  } finally {
    client.close();
  }
}
