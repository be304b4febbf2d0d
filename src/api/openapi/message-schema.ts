import { type DescEnum, type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';

/**
 * JSON Schemas (OpenAPI 3.1 is JSON Schema 2020-12) of protobuf messages, as the REST API
 * speaks them: proto field names, enums by name, google.protobuf.Struct / Value / ListValue as
 * plain JSON, Timestamp as RFC 3339 text, 64-bit integers as numbers or decimal strings (the
 * proto3 JSON mapping accepts both). Each message becomes one named schema under
 * `#/components/schemas/`, referenced from where it is used; fields at their default value
 * are left out of answers, so no field is required by the schema (the services say which
 * ones a request needs, with ERROR_REQUIRED_PARAMETER).
 */
export type JsonSchema = Record<string, unknown>;

const WELL_KNOWN: Record<string, JsonSchema> = {
  'google.protobuf.Struct': { type: 'object', additionalProperties: true },
  'google.protobuf.Value': {},
  'google.protobuf.ListValue': { type: 'array', items: {} },
  'google.protobuf.Empty': { type: 'object' },
  'google.protobuf.Timestamp': { type: 'string', format: 'date-time' },
};

const INT64 = { anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^-?\\d+$' }] };

function scalarSchema(scalar: ScalarType): JsonSchema {
  switch (scalar) {
    case ScalarType.STRING:
      return { type: 'string' };
    case ScalarType.BOOL:
      return { type: 'boolean' };
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return { type: 'number' };
    case ScalarType.BYTES:
      return { type: 'string', contentEncoding: 'base64' };
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return INT64;
    default:
      return { type: 'integer' };
  }
}

const enumSchema = (desc: DescEnum): JsonSchema => ({ type: 'string', enum: desc.values.map((value) => value.name) });

/** The schemas of messages, collected as they are referenced. */
export class MessageSchemas {
  readonly schemas: Record<string, JsonSchema> = {};

  /** A reference to `message`'s schema (or the well-known type's own schema), adding it and what it uses. */
  ref(message: DescMessage): JsonSchema {
    const known = WELL_KNOWN[message.typeName];
    if (known) return known;
    const name = schemaName(message);
    if (!Object.hasOwn(this.schemas, name)) {
      this.schemas[name] = {}; // placed first: a message that refers to itself ends here
      this.schemas[name] = this.messageSchema(message);
    }
    return { $ref: `#/components/schemas/${name}` };
  }

  private messageSchema(message: DescMessage): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const field of message.fields) properties[field.name] = this.fieldSchema(field);
    return { type: 'object', title: message.typeName, properties };
  }

  private fieldSchema(field: DescField): JsonSchema {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarSchema(field.scalar);
      case 'enum':
        return enumSchema(field.enum);
      case 'message':
        return this.ref(field.message);
      case 'list':
        return { type: 'array', items: this.elementSchema(field.listKind, field) };
      case 'map':
        return { type: 'object', additionalProperties: this.elementSchema(field.mapKind, field) };
    }
  }

  /** The schema of a list's items or a map's values. */
  private elementSchema(
    kind: 'scalar' | 'enum' | 'message',
    field: DescField & ({ fieldKind: 'list' } | { fieldKind: 'map' }),
  ): JsonSchema {
    if (kind === 'scalar' && field.scalar !== undefined) return scalarSchema(field.scalar);
    if (kind === 'enum' && field.enum) return enumSchema(field.enum);
    return field.message ? this.ref(field.message) : {};
  }
}

/** `spaceone.api.cost_analysis.v1.JobQuery` → `cost_analysis.v1.JobQuery`: short, and unique across packages. */
export function schemaName(message: DescMessage): string {
  return message.typeName.replace(/^spaceone\.api\./, '');
}
