import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFileRegistry, fromBinary, type DescMessage, type DescService, type FileRegistry } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { FileDescriptorSetSchema, type DescriptorProto, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { packageRoot } from '../config/package-root.js';

/**
 * The canonical descriptor set (proto/descriptors.binpb), made by protoc from our .proto
 * files (scripts/gen-descriptors.sh). It is the single source of truth on the wire: the codecs
 * of every gRPC server and client are built from it, and reflection answers with its files
 * byte for byte, so strict clients (the upstream Python one) accept them.
 */
export interface WireDescriptors {
  readonly registry: FileRegistry;
  /** file name → the FileDescriptorProto exactly as protoc serialized it. */
  readonly fileBytes: ReadonlyMap<string, Uint8Array>;
  /** file name → its direct dependencies. */
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  /** fully-qualified symbol (message, enum, service, method, field) → file name. */
  readonly symbols: ReadonlyMap<string, string>;
  service(typeName: string): DescService;
  message(typeName: string): DescMessage;
}

export const DESCRIPTOR_SET_PATH = 'proto/descriptors.binpb';

let loaded: WireDescriptors | undefined;

export function wireDescriptors(): WireDescriptors {
  loaded ??= parseDescriptorSet(readFileSync(join(packageRoot(), DESCRIPTOR_SET_PATH)));
  return loaded;
}

export function parseDescriptorSet(bytes: Uint8Array): WireDescriptors {
  const set = fromBinary(FileDescriptorSetSchema, bytes);
  const raw = rawFiles(bytes);
  const fileBytes = new Map<string, Uint8Array>();
  const dependencies = new Map<string, readonly string[]>();
  const symbols = new Map<string, string>();
  set.file.forEach((file, i) => {
    fileBytes.set(file.name, raw[i]);
    dependencies.set(file.name, file.dependency);
    for (const symbol of symbolsOf(file)) symbols.set(symbol, file.name);
  });
  const registry = createFileRegistry(set);
  return {
    registry,
    fileBytes,
    dependencies,
    symbols,
    service(typeName) {
      const found = registry.getService(typeName);
      if (!found) throw new Error(`gRPC service ${typeName} is not in ${DESCRIPTOR_SET_PATH}; run scripts/gen-descriptors.sh`);
      return found;
    },
    message(typeName) {
      const found = registry.getMessage(typeName);
      if (!found) throw new Error(`message ${typeName} is not in ${DESCRIPTOR_SET_PATH}; run scripts/gen-descriptors.sh`);
      return found;
    },
  };
}

/** The `file` entries (field 1) of a FileDescriptorSet, unparsed. */
function rawFiles(bytes: Uint8Array): Uint8Array[] {
  const reader = new BinaryReader(bytes);
  const files: Uint8Array[] = [];
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) files.push(reader.bytes());
    else reader.skip(wireType);
  }
  return files;
}

function* symbolsOf(file: FileDescriptorProto): Generator<string> {
  const prefix = file.package ? `${file.package}.` : '';
  function* message(scope: string, type: DescriptorProto): Generator<string> {
    const name = `${scope}${type.name}`;
    yield name;
    for (const field of type.field) yield `${name}.${field.name}`;
    for (const nested of type.nestedType) yield* message(`${name}.`, nested);
    for (const nested of type.enumType) yield `${name}.${nested.name}`;
  }
  for (const type of file.messageType) yield* message(prefix, type);
  for (const type of file.enumType) yield `${prefix}${type.name}`;
  for (const service of file.service) {
    yield `${prefix}${service.name}`;
    for (const method of service.method) yield `${prefix}${service.name}.${method.name}`;
  }
}

/** A file and, after it, every file it depends on (transitively), each once. */
export function fileWithDependencies(descriptors: WireDescriptors, fileName: string): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const bytes = descriptors.fileBytes.get(name);
    if (!bytes) return;
    out.push(bytes);
    for (const dependency of descriptors.dependencies.get(name) ?? []) visit(dependency);
  };
  visit(fileName);
  return out;
}
