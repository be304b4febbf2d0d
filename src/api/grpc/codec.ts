import { fromBinary, fromJson, toBinary, toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { WireType, type BinaryReader } from '@bufbuild/protobuf/wire';

/**
 * Protobuf ⇄ plain JSON, the one place messages change form. Inside costsync a message is
 * the JSON the REST API speaks: snake_case proto field names, enums by name, fields at their
 * default value absent (as the upstream's MessageToDict), and google.protobuf.Struct / Value /
 * ListValue as ordinary JSON objects, values and arrays.
 */
export type JsonMessage = Record<string, unknown>;

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

/*
 * google.protobuf.Struct / Value / ListValue straight from wire to JSON, for the hot path
 * (cost pages, where every row carries three Structs). Same mapping as above: numbers are
 * doubles, NULL_VALUE is null. (The writing side is plugins/grpc/cost-page-writer.ts.)
 */
const LEN = WireType.LengthDelimited;

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
