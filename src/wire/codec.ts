import { fromBinary, fromJson, ScalarType, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { err, isCostsyncError, type CostsyncError } from '../domain/errors.js';
import { rejectPrototypeKey } from '../query/input.js';

/**
 * Protobuf ⇄ plain JSON, the one place messages change form. Inside costsync a message is
 * the JSON the REST API speaks: snake_case proto field names, enums by name, fields at their
 * default value absent (as the upstream's MessageToDict), and google.protobuf.Struct / Value /
 * ListValue as ordinary JSON objects, values and arrays.
 */
export type JsonMessage = Record<string, unknown>;

const LEN = WireType.LengthDelimited;

export interface MessageCodec {
  encode(message: JsonMessage): Uint8Array;
  decode(bytes: Uint8Array): JsonMessage;
}

/** Unknown fields are dropped when encoding (views may carry extra fields such as `attempt`). */
export function messageCodec(schema: DescMessage): MessageCodec {
  return {
    encode: (message) => toBinary(schema, fromJson(schema, (message ?? {}) as JsonValue, { ignoreUnknownFields: true })),
    decode: (bytes) => toJson(schema, fromBinary(schema, bytes), { useProtoFieldName: true }) as JsonMessage,
  };
}

/**
 * The codec of a request a server receives. fromBinary stores map entries (so every Struct
 * field) by assignment, so a key "__proto__" would set the prototype of the map object and
 * toJson would then drop it without a word. Before decoding, the wire bytes are scanned for
 * map keys that name a prototype; a request holding one is not decoded but answered with
 * ERROR_INVALID_PARAMETER naming the key's path. grpc-js answers anything a deserializer
 * throws with INTERNAL, so the refusal travels as the decoded value (`refusalOf`) and the
 * handler throws it.
 */
export function requestCodec(schema: DescMessage): MessageCodec {
  const codec = messageCodec(schema);
  return {
    encode: codec.encode,
    decode(bytes) {
      try {
        rejectPrototypeKeys(schema, new BinaryReader(bytes), 'body');
        return codec.decode(bytes);
      } catch (error) {
        // Bytes that are not this message (truncated, wrong wire types, nested past the stack).
        const refusal = isCostsyncError(error)
          ? error
          : err.invalid('body', `the request is not a valid ${schema.typeName} message (${(error as Error).message ?? 'undecodable'})`);
        return { [REFUSAL]: refusal } as JsonMessage;
      }
    },
  };
}

const REFUSAL = Symbol('refused request');

/** The error a request codec refused the message with, if it did. */
export function refusalOf(message: JsonMessage): CostsyncError | undefined {
  return (message as { [REFUSAL]?: CostsyncError })[REFUSAL];
}

/** Struct, Value and ListValue are plain JSON on our side: their own field names are no part of a path. */
const JSON_TYPES: ReadonlySet<string> = new Set(['google.protobuf.Struct', 'google.protobuf.Value', 'google.protobuf.ListValue']);

/** Walks the message's wire bytes with its schema, as deep as the messages nest (as fromBinary does). */
function rejectPrototypeKeys(schema: DescMessage, reader: BinaryReader, where: string): void {
  const name = (fieldName: string) => (JSON_TYPES.has(schema.typeName) ? where : `${where}.${fieldName}`);
  const seen = new Map<number, number>();
  while (reader.pos < reader.len) {
    const [number, wireType] = reader.tag();
    const field = schema.fields.find((f) => f.number === number);
    if (!field || wireType !== LEN) {
      reader.skip(wireType);
      continue;
    }
    if (field.fieldKind === 'message') {
      rejectPrototypeKeys(field.message, new BinaryReader(reader.bytes()), name(field.name));
    } else if (field.fieldKind === 'list' && field.listKind === 'message') {
      const index = seen.get(number) ?? 0;
      seen.set(number, index + 1);
      rejectPrototypeKeys(field.message, new BinaryReader(reader.bytes()), `${name(field.name)}[${index}]`);
    } else if (field.fieldKind === 'map') {
      const entry = new BinaryReader(reader.bytes());
      let key = '';
      let value: Uint8Array | undefined;
      while (entry.pos < entry.len) {
        const [entryField, entryWire] = entry.tag();
        if (entryField === 1 && entryWire === LEN && field.mapKey === ScalarType.STRING) key = entry.string();
        else if (entryField === 2 && entryWire === LEN && field.mapKind === 'message') value = entry.bytes();
        else entry.skip(entryWire);
      }
      const path = `${name(field.name)}.${key}`;
      rejectPrototypeKey(key, path);
      if (value && field.mapKind === 'message') rejectPrototypeKeys(field.message, new BinaryReader(value), path);
    } else {
      reader.skip(wireType);
    }
  }
}

/*
 * google.protobuf.Struct / Value / ListValue straight from wire to JSON, for the hot path
 * (cost pages, where every row carries three Structs). Same mapping as above: numbers are
 * doubles, NULL_VALUE is null. (The writing side is cost-page-writer.ts.)
 */
/** Reads a Struct whose bytes end at `end`. */
export function readStruct(reader: BinaryReader, end: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    if (field !== 1 || wireType !== LEN) {
      reader.skip(wireType);
      continue;
    }
    const entryEnd = reader.uint32() + reader.pos;
    let key = '';
    let value: unknown = null;
    while (reader.pos < entryEnd) {
      const [entryField, entryWire] = reader.tag();
      if (entryField === 1) key = reader.string();
      else if (entryField === 2) value = readValue(reader, reader.uint32() + reader.pos);
      else reader.skip(entryWire);
    }
    setKey(object, key, value);
  }
  return object;
}

function readValue(reader: BinaryReader, end: number): unknown {
  let value: unknown = null;
  while (reader.pos < end) {
    const [field, wireType] = reader.tag();
    switch (field) {
      case 1:
        reader.int32();
        value = null;
        break;
      case 2:
        value = reader.double();
        break;
      case 3:
        value = reader.string();
        break;
      case 4:
        value = reader.bool();
        break;
      case 5:
        value = readStruct(reader, reader.uint32() + reader.pos);
        break;
      case 6: {
        const listEnd = reader.uint32() + reader.pos;
        const list: unknown[] = [];
        while (reader.pos < listEnd) {
          const [itemField, itemWire] = reader.tag();
          if (itemField === 1) list.push(readValue(reader, reader.uint32() + reader.pos));
          else reader.skip(itemWire);
        }
        value = list;
        break;
      }
      default:
        reader.skip(wireType);
    }
  }
  return value;
}

/** `object[key] = value`, also for the key "__proto__" (an assignment would set the prototype instead). */
function setKey(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
