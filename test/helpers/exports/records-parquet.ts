import { type Column, parquetBytes, type WriteOptions } from '../parquet-fixtures.js';

/**
 * Records as a Parquet file, with the schema a data warehouse's export would give them,
 * inferred from the values: numbers as DOUBLE (when every value of the column is one), text
 * as STRING, booleans as BOOLEAN, objects as STRUCT (the union of their fields), arrays as
 * LIST, every field OPTIONAL (an empty cell is null). A column whose values disagree is
 * written as text, and a column never filled as STRING of nulls.
 */
type Shape =
  | { kind: 'none' }
  | { kind: 'STRING' | 'DOUBLE' | 'BOOLEAN' }
  | { kind: 'STRUCT'; fields: Map<string, Shape> }
  | { kind: 'LIST'; element: Shape };

type SchemaElement = Extract<Column['type'], unknown[]>[number];

export function recordsParquet(records: readonly Record<string, unknown>[], options?: WriteOptions): Buffer {
  const shapes = new Map<string, Shape>();
  for (const record of records) {
    for (const [name, value] of Object.entries(record)) shapes.set(name, merge(shapes.get(name) ?? NONE, shapeOf(value)));
  }
  const columns: Column[] = [...shapes].map(([name, shape]) => ({
    name,
    type: schemaOf(name, shape),
    data: records.map((record) => valueAs(shape, record[name])),
  }));
  return parquetBytes(columns, options);
}

const NONE: Shape = { kind: 'none' };

function shapeOf(value: unknown): Shape {
  if (value === null || value === undefined) return NONE;
  if (typeof value === 'number') return { kind: 'DOUBLE' };
  if (typeof value === 'boolean') return { kind: 'BOOLEAN' };
  if (Array.isArray(value)) return { kind: 'LIST', element: value.map(shapeOf).reduce(merge, NONE) };
  if (typeof value === 'object') {
    return { kind: 'STRUCT', fields: new Map(Object.entries(value).map(([key, inner]) => [key, shapeOf(inner)])) };
  }
  return { kind: 'STRING' };
}

function merge(a: Shape, b: Shape): Shape {
  if (a.kind === 'none') return b;
  if (b.kind === 'none') return a;
  if (a.kind === 'STRUCT' && b.kind === 'STRUCT') {
    const fields = new Map(a.fields);
    for (const [key, shape] of b.fields) fields.set(key, merge(fields.get(key) ?? NONE, shape));
    return { kind: 'STRUCT', fields };
  }
  if (a.kind === 'LIST' && b.kind === 'LIST') return { kind: 'LIST', element: merge(a.element, b.element) };
  return a.kind === b.kind ? a : { kind: 'STRING' };
}

function schemaOf(name: string, shape: Shape): SchemaElement[] {
  switch (shape.kind) {
    case 'none':
    case 'STRING':
      return [{ name, repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' }];
    case 'DOUBLE':
      return [{ name, repetition_type: 'OPTIONAL', type: 'DOUBLE' }];
    case 'BOOLEAN':
      return [{ name, repetition_type: 'OPTIONAL', type: 'BOOLEAN' }];
    case 'STRUCT':
      return [
        { name, repetition_type: 'OPTIONAL', num_children: shape.fields.size },
        ...[...shape.fields].flatMap(([field, inner]) => schemaOf(field, inner)),
      ];
    case 'LIST':
      return [
        { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...schemaOf('element', shape.element),
      ];
  }
}

/** A value as its column's shape holds it: null when empty, text where the shape is text. */
function valueAs(shape: Shape, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (shape.kind) {
    case 'none':
    case 'STRING':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'DOUBLE':
    case 'BOOLEAN':
      return value;
    case 'STRUCT': {
      const object = value as Record<string, unknown>;
      return Object.fromEntries([...shape.fields].map(([field, inner]) => [field, valueAs(inner, object[field])]));
    }
    case 'LIST':
      return (value as unknown[]).map((element) => valueAs(shape.element, element));
  }
}
