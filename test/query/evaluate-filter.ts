import type { FieldType } from '../../src/query/catalogue.js';
import type { Condition } from '../../src/query/filter.js';
import { parseDatetime, parseTimediff } from '../../src/query/values.js';
import { compareJson, compareText, jsonEqual, jsonTypeOf } from './jsonb.js';

/**
 * The filter operators of spec §3.2 as documented (docs/api.md), evaluated in memory over
 * plain rows — written from the documented rules, not from the SQL, so the property tests
 * compare two independent implementations.
 *
 * A row maps names to values. `undefined` or `null` in a plain field is SQL NULL; in a json
 * field `undefined` is a missing value and `null` a JSON null.
 */
export type Row = Record<string, unknown>;
export interface Typed {
  readonly type: FieldType;
  readonly value: unknown;
}
/** Field names and types addressable on a row (a resource's catalogue, or result names). */
export type Schema = Readonly<Record<string, FieldType>>;

export function resolve(schema: Schema, row: Row, key: string): Typed {
  if (Object.hasOwn(schema, key)) return { type: schema[key], value: row[key] };
  const segments = key.split('.');
  for (let cut = segments.length - 1; cut >= 1; cut--) {
    const root = segments.slice(0, cut).join('.');
    if (schema[root] !== 'json') continue;
    return { type: 'json', value: navigate(row[root], segments.slice(cut)) };
  }
  throw new Error(`unknown key ${key}`);
}

/** `#>`: object members, or array positions for numeric segments; missing otherwise. */
export function navigate(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && !Array.isArray(current) && Object.hasOwn(current, segment)) {
      current = (current as Row)[segment];
    } else return undefined;
  }
  return current;
}

const isNull = (f: Typed) => f.value === undefined || f.value === null;

function instant(f: Typed): number {
  if (f.type === 'date') return Date.parse(`${f.value as string}T00:00:00Z`);
  return (f.value as Date).getTime();
}

/** Same-type comparison of a present field with a value, or undefined when incomparable. */
function compare(f: Typed, v: unknown): number | undefined {
  switch (f.type) {
    case 'json':
      return jsonTypeOf(f.value) === jsonTypeOf(v) ? compareJson(f.value, v) : undefined;
    case 'timestamp':
      return Math.sign(instant(f) - parseDatetime(v, 'eq').getTime());
    case 'number':
      return Math.sign((f.value as number) - (v as number));
    case 'bool':
      return Number(f.value) - Number(v);
    default:
      return compareText(f.value as string, v as string);
  }
}

function equals(f: Typed, v: unknown): boolean {
  if (v === null || v === undefined) return isNull(f);
  if (f.value === undefined || (f.type !== 'json' && f.value === null)) return false;
  if (f.type === 'json') return jsonEqual(f.value, v) || (Array.isArray(f.value) && f.value.some((e) => jsonEqual(e, v)));
  return compare(f, v) === 0;
}

/** The texts a substring or pattern is tested against. */
function textsOf(f: Typed): string[] {
  if (isNull(f)) return [];
  switch (f.type) {
    case 'json':
      return (Array.isArray(f.value) ? f.value : [f.value]).filter((v): v is string => typeof v === 'string');
    case 'timestamp':
      return [(f.value as Date).toISOString()];
    default:
      return [String(f.value)];
  }
}

const contains = (f: Typed, values: unknown[]) =>
  textsOf(f).some((text) => values.some((v) => text.toLowerCase().includes(String(v).toLowerCase())));
const matchesPattern = (f: Typed, patterns: unknown[]) =>
  textsOf(f).some((text) => patterns.some((p) => new RegExp(p as string, 'i').test(text)));

function matchElement(f: Typed, dict: Row): boolean {
  if (!Array.isArray(f.value)) return false;
  return f.value.some(
    (element) =>
      jsonTypeOf(element) === 'object' &&
      Object.entries(dict).every(([key, expected]) => equals({ type: 'json', value: navigate(element, key.split('.')) }, expected)),
  );
}

const ORDER: Record<string, (c: number) => boolean> = {
  lt: (c) => c < 0,
  lte: (c) => c <= 0,
  gt: (c) => c > 0,
  gte: (c) => c >= 0,
};

export function holds(schema: Schema, row: Row, condition: Condition): boolean {
  const f = resolve(schema, row, condition.key as string);
  const v = condition.value;
  const op = condition.operator as string;
  const list = Array.isArray(v) ? v : [v];
  switch (op) {
    case 'eq':
      return equals(f, v);
    case 'not':
      return !equals(f, v);
    case 'exists':
      return v ? !isNull(f) : isNull(f);
    case 'in':
      return list.some((item) => equals(f, item));
    case 'not_in':
      return !list.some((item) => equals(f, item));
    case 'contain':
    case 'contain_in':
      return contains(f, list);
    case 'not_contain':
    case 'not_contain_in':
      return !contains(f, list);
    case 'regex':
    case 'regex_in':
      return matchesPattern(f, list);
    case 'match':
      return f.type === 'json' && matchElement(f, v as Row);
  }
  const [family, symbol] = op.split('_');
  if (family === 'datetime' || family === 'timediff') {
    if (isNull(f)) return false;
    const at = family === 'datetime' ? parseDatetime(v, op) : parseTimediff(v, op);
    return ORDER[symbol](Math.sign(instant(f) - at.getTime()));
  }
  if (isNull(f)) return false;
  const c = compare(f, v);
  return c !== undefined && ORDER[op](c);
}

/** `filter` AND-ed, `filter_or` OR-ed, keyword: any keyword key contains any word. */
export function matches(
  schema: Schema,
  row: Row,
  query: { filter: readonly Condition[]; filterOr: readonly Condition[]; keyword?: string },
  keywordKeys: readonly string[],
): boolean {
  if (!query.filter.every((c) => holds(schema, row, c))) return false;
  if (query.filterOr.length > 0 && !query.filterOr.some((c) => holds(schema, row, c))) return false;
  const words = (query.keyword ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  return keywordKeys.some((key) => contains(resolve(schema, row, key), words));
}
