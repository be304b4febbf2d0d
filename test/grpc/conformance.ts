import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromBinary, isFieldSet } from '@bufbuild/protobuf';
import {
  type DescriptorProto,
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import { packageRoot } from '../../src/config/package-root.js';

/**
 * The shape of proto/upstream/wire.json (upstream's protos compiled by protoc, one entry per
 * file), and the same shape made from our descriptor set, so the two compare field for field.
 */
export interface WireField {
  name: string;
  number: number;
  type: string;
  type_name?: string;
  repeated?: boolean;
  oneof?: string;
}
export interface WireMethod {
  method: string;
  input: string;
  output: string;
  server_streaming: boolean;
  http?: { verb: string; path: string; body?: string };
}
export interface WireFile {
  package: string;
  services: Record<string, WireMethod[]>;
  messages: Record<string, WireField[]>;
  enums: Record<string, Record<string, number>>;
}
export interface Wire {
  files: Record<string, WireFile>;
}

export const UPSTREAM_WIRE_PATH = 'proto/upstream/wire.json';

export function loadUpstreamWire(): Wire {
  return JSON.parse(readFileSync(join(packageRoot(), UPSTREAM_WIRE_PATH), 'utf8')) as Wire;
}

const TYPE_NAMES: Partial<Record<FieldDescriptorProto_Type, string>> = {
  [FieldDescriptorProto_Type.DOUBLE]: 'double',
  [FieldDescriptorProto_Type.FLOAT]: 'float',
  [FieldDescriptorProto_Type.INT64]: 'int64',
  [FieldDescriptorProto_Type.UINT64]: 'uint64',
  [FieldDescriptorProto_Type.INT32]: 'int32',
  [FieldDescriptorProto_Type.BOOL]: 'bool',
  [FieldDescriptorProto_Type.STRING]: 'string',
  [FieldDescriptorProto_Type.MESSAGE]: 'message',
  [FieldDescriptorProto_Type.BYTES]: 'bytes',
  [FieldDescriptorProto_Type.UINT32]: 'uint32',
  [FieldDescriptorProto_Type.ENUM]: 'enum',
};

/** Our descriptor set in the upstream file's shape (the gRPC-internal grpc.* files left out). */
export function ourWire(descriptorSet: Uint8Array): Wire {
  const set = fromBinary(FileDescriptorSetSchema, descriptorSet);
  const files: Record<string, WireFile> = {};
  for (const file of set.file) {
    if (!file.name.startsWith('spaceone/')) continue;
    const out: WireFile = { package: file.package, services: {}, messages: {}, enums: {} };
    const addMessage = (scope: string, message: DescriptorProto) => {
      const name = `${scope}.${message.name}`;
      out.messages[name] = message.field.map((field) => {
        const inOneof = isFieldSet(field, FieldDescriptorProtoSchema.field.oneofIndex) && !field.proto3Optional;
        const oneof = inOneof ? message.oneofDecl[field.oneofIndex]?.name : undefined;
        return {
          name: field.name,
          number: field.number,
          type: TYPE_NAMES[field.type] ?? `type ${field.type}`,
          ...(field.typeName ? { type_name: field.typeName.replace(/^\./, '') } : {}),
          ...(field.label === FieldDescriptorProto_Label.REPEATED ? { repeated: true } : {}),
          ...(oneof ? { oneof } : {}),
        };
      });
      for (const nested of message.enumType) {
        out.enums[`${name}.${nested.name}`] = Object.fromEntries(nested.value.map((v) => [v.name, v.number]));
      }
      for (const nested of message.nestedType) addMessage(name, nested);
    };
    for (const message of file.messageType) addMessage(file.package, message);
    for (const type of file.enumType)
      out.enums[`${file.package}.${type.name}`] = Object.fromEntries(type.value.map((v) => [v.name, v.number]));
    for (const service of file.service) {
      out.services[service.name] = service.method.map((method) => ({
        method: method.name,
        input: method.inputType.replace(/^\./, ''),
        output: method.outputType.replace(/^\./, ''),
        server_streaming: method.serverStreaming ?? false,
      }));
    }
    files[file.name] = out;
  }
  return { files };
}

export interface Comparison {
  /** What upstream defines and we lack or define otherwise, one line each. */
  differences: string[];
  /** Symbols we define that upstream does not: `pkg.Message.field`, `pkg.Enum.VALUE`, `pkg.Message`, `Service.method`. */
  additions: string[];
}

/** Upstream's definitions against ours: every one must hold; ours may add fields, values, messages and methods. */
export function compareWithUpstream(upstream: Wire, ours: Wire): Comparison {
  const differences: string[] = [];
  const additions: string[] = [];
  for (const [fileName, theirs] of Object.entries(upstream.files)) {
    const mine = ours.files[fileName];
    if (!mine) {
      differences.push(`${fileName}: missing`);
      continue;
    }
    if (mine.package !== theirs.package) differences.push(`${fileName}: package ${mine.package}, upstream ${theirs.package}`);
    compareServices(fileName, theirs, mine, differences, additions);
    compareMessages(theirs, mine, differences, additions);
    compareEnums(theirs, mine, differences, additions);
  }
  for (const fileName of Object.keys(ours.files)) if (!upstream.files[fileName]) additions.push(fileName);
  return { differences, additions: additions.sort() };
}

function compareServices(fileName: string, theirs: WireFile, mine: WireFile, differences: string[], additions: string[]): void {
  for (const [service, methods] of Object.entries(theirs.services)) {
    const ourMethods = mine.services[service];
    if (!ourMethods) {
      differences.push(`${fileName}: service ${service} missing`);
      continue;
    }
    for (const method of methods) {
      const our = ourMethods.find((m) => m.method === method.method);
      if (!our) differences.push(`${theirs.package}.${service}/${method.method}: missing`);
      else {
        for (const key of ['input', 'output', 'server_streaming'] as const) {
          if (our[key] !== method[key])
            differences.push(`${theirs.package}.${service}/${method.method}: ${key} ${our[key]}, upstream ${method[key]}`);
        }
      }
    }
    for (const our of ourMethods)
      if (!methods.some((m) => m.method === our.method)) additions.push(`${theirs.package}.${service}/${our.method}`);
  }
  for (const service of Object.keys(mine.services)) if (!theirs.services[service]) additions.push(`${mine.package}.${service}`);
}

function compareMessages(theirs: WireFile, mine: WireFile, differences: string[], additions: string[]): void {
  for (const [message, fields] of Object.entries(theirs.messages)) {
    const ourFields = mine.messages[message];
    if (!ourFields) {
      differences.push(`${message}: missing`);
      continue;
    }
    for (const field of fields) {
      const our = ourFields.find((f) => f.name === field.name);
      if (!our) {
        differences.push(`${message}.${field.name} = ${field.number}: missing`);
        continue;
      }
      for (const key of ['number', 'type', 'type_name', 'repeated', 'oneof'] as const) {
        if ((our[key] ?? null) !== (field[key] ?? null)) {
          differences.push(`${message}.${field.name}: ${key} ${String(our[key] ?? '-')}, upstream ${String(field[key] ?? '-')}`);
        }
      }
    }
    for (const our of ourFields) {
      if (fields.some((f) => f.name === our.name)) continue;
      const clash = fields.find((f) => f.number === our.number);
      if (clash) differences.push(`${message}.${our.name} = ${our.number}: upstream numbers ${clash.name} so`);
      else additions.push(`${message}.${our.name}`);
    }
  }
  for (const message of Object.keys(mine.messages)) if (!theirs.messages[message]) additions.push(message);
}

function compareEnums(theirs: WireFile, mine: WireFile, differences: string[], additions: string[]): void {
  for (const [type, values] of Object.entries(theirs.enums)) {
    const ourValues = mine.enums[type];
    if (!ourValues) {
      differences.push(`${type}: missing`);
      continue;
    }
    for (const [name, number] of Object.entries(values)) {
      if (ourValues[name] !== number) differences.push(`${type}.${name}: ${ourValues[name] ?? 'missing'}, upstream ${number}`);
    }
    for (const name of Object.keys(ourValues)) if (!(name in values)) additions.push(`${type}.${name}`);
  }
  for (const type of Object.keys(mine.enums)) if (!theirs.enums[type]) additions.push(type);
}

/**
 * .proto text for each file of `wire` (upstream's, in the test: what a client generated from
 * upstream's protos knows). Type names are written fully qualified; imports follow from them.
 */
export function protoFilesOf(wire: Wire): Map<string, string> {
  const home = new Map<string, string>();
  for (const [fileName, file] of Object.entries(wire.files)) {
    for (const symbol of [...Object.keys(file.messages), ...Object.keys(file.enums)]) home.set(symbol, fileName);
  }
  const WELL_KNOWN: Record<string, string> = {
    'google.protobuf.Struct': 'google/protobuf/struct.proto',
    'google.protobuf.Value': 'google/protobuf/struct.proto',
    'google.protobuf.ListValue': 'google/protobuf/struct.proto',
    'google.protobuf.Empty': 'google/protobuf/empty.proto',
  };
  const out = new Map<string, string>();
  for (const [fileName, file] of Object.entries(wire.files)) {
    const imports = new Set<string>();
    const ref = (typeName: string) => {
      const from = WELL_KNOWN[typeName] ?? home.get(typeName);
      if (!from) throw new Error(`${fileName}: ${typeName} is defined nowhere`);
      if (from !== fileName) imports.add(from);
      return `.${typeName}`;
    };
    const body: string[] = [];
    for (const [service, methods] of Object.entries(file.services)) {
      body.push(`service ${service} {`);
      for (const m of methods)
        body.push(`  rpc ${m.method} (${ref(m.input)}) returns (${m.server_streaming ? 'stream ' : ''}${ref(m.output)});`);
      body.push('}');
    }
    for (const [message, fields] of Object.entries(file.messages)) {
      body.push(`message ${message.slice(file.package.length + 1)} {`);
      for (const [type, values] of Object.entries(file.enums)) {
        if (!type.startsWith(`${message}.`) || type.slice(message.length + 1).includes('.')) continue;
        body.push(`  enum ${type.slice(message.length + 1)} {`, ...Object.entries(values).map(([n, v]) => `    ${n} = ${v};`), '  }');
      }
      const oneofs = new Map<string, string[]>();
      for (const field of fields) {
        const type = field.type_name ? ref(field.type_name) : field.type;
        const line = `${field.repeated ? 'repeated ' : ''}${type} ${field.name} = ${field.number};`;
        if (field.oneof) oneofs.set(field.oneof, [...(oneofs.get(field.oneof) ?? []), line]);
        else body.push(`  ${line}`);
      }
      for (const [name, lines] of oneofs) body.push(`  oneof ${name} {`, ...lines.map((l) => `    ${l}`), '  }');
      body.push('}');
    }
    for (const [type, values] of Object.entries(file.enums)) {
      if (home.get(type) !== fileName || type.slice(file.package.length + 1).includes('.')) continue;
      body.push(`enum ${type.slice(file.package.length + 1)} {`, ...Object.entries(values).map(([n, v]) => `  ${n} = ${v};`), '}');
    }
    const head = ['syntax = "proto3";', `package ${file.package};`, ...[...imports].sort().map((i) => `import "${i}";`)];
    out.set(fileName, [...head, ...body, ''].join('\n'));
  }
  return out;
}
