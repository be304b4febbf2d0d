import { err } from '../domain/errors.js';
import type { FieldType, ResolvedField } from './catalogue.js';
import { jsonEquals, jsonIsNull, matchElement, someString } from './json-operators.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import { raw, sql, type Fragment } from './sql.js';
import { checkPatternCost } from './regex-cost.js';
import { containsPattern, parseDatetime, parseTimediff } from './values.js';

/**
 * The filter operators (spec §3.2), compiled per field type. Semantics follow the upstream
 * (MongoDB) where they are sound:
 * - a missing or null field matches `eq null`, `not`, `not_in`, `not_contain`;
 * - `eq`/`in` on a JSON array match any element;
 * - ordered comparisons only match values of the same JSON type (no string vs number);
 * - `contain*` is a case-insensitive substring match, `regex*` a case-insensitive POSIX
 *   regular expression (PostgreSQL `~*`); on JSON both test strings (or string elements) only;
 * - `match` is `$elemMatch` over a JSON list of objects (json-operators.ts).
 * Deliberate difference: `not_contain_in` means "contains none of the values" (the upstream
 * ORs the negations, spec §9 item 23).
 */
export type ValueShape = 'scalar' | 'list' | 'bool' | 'dict';

export interface OperatorContext {
  readonly operator: string;
  /** Request position of the value, for messages. */
  readonly where: string;
  /** Request position of the condition, and the condition as sent (for messages). */
  readonly condition: { readonly where: string; readonly display: unknown };
}

export interface OperatorDef {
  readonly shape: ValueShape;
  compile(field: ResolvedField, value: unknown, context: OperatorContext): Fragment;
}

const SQL_TYPE: Record<FieldType, string> = {
  json: 'jsonb',
  text: 'text',
  date: 'text',
  number: 'double precision',
  bool: 'boolean',
  timestamp: 'timestamptz',
};

const EXPECTED: Record<FieldType, string> = {
  json: 'JSON value',
  text: 'string',
  date: 'string (YYYY-MM-DD)',
  number: 'number',
  bool: 'boolean',
  timestamp: 'ISO-8601 datetime string',
};

/** The field as compared: a `date` compares as its `YYYY-MM-DD` text, like the upstream's string. */
function comparable(field: ResolvedField): Fragment {
  return field.type === 'date' ? sql`to_char(${field.expr}, 'YYYY-MM-DD')` : field.expr;
}

/** The field as text, for substring matches. */
function textOf(field: ResolvedField): Fragment {
  switch (field.type) {
    case 'json':
      return sql`(${field.expr} #>> '{}')`;
    case 'timestamp':
      return sql`to_char(${field.expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
    case 'number':
    case 'bool':
      return sql`(${field.expr})::text`;
    default:
      return comparable(field);
  }
}

/** A value checked against the field's type, in the form it is bound. */
function typedValue(field: ResolvedField, value: unknown, context: OperatorContext): unknown {
  switch (field.type) {
    case 'json':
      return JSON.stringify(value);
    case 'timestamp':
      return parseDatetime(value, context.operator).toISOString();
    case 'number':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'bool':
      if (typeof value === 'boolean') return value;
      break;
    default:
      if (typeof value === 'string') return value;
  }
  throw err.invalidType(context.where, `${EXPECTED[field.type]} (${field.key} is a ${field.type} field)`);
}

function bound(field: ResolvedField, value: unknown, context: OperatorContext): Fragment {
  const typed = typedValue(field, value, context);
  return field.type === 'json' ? sql`${typed}::jsonb` : sql`${typed}::${raw(SQL_TYPE[field.type])}`;
}

function isNull(field: ResolvedField): Fragment {
  return field.type === 'json' ? jsonIsNull(field.expr) : sql`${field.expr} IS NULL`;
}

function equals(field: ResolvedField, value: unknown, context: OperatorContext): Fragment {
  if (value === null || value === undefined) return isNull(field);
  const v = bound(field, value, context);
  return field.type === 'json' ? jsonEquals(field.expr, v) : sql`${comparable(field)} = ${v}`;
}

function oneOf(field: ResolvedField, values: unknown[], context: OperatorContext): Fragment {
  const present = values.filter((v) => v !== null && v !== undefined);
  const terms: Fragment[] = present.length < values.length ? [isNull(field)] : [];
  if (present.length > 0 && field.type === 'json') {
    const items = JSON.stringify(present);
    terms.push(sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${items}::jsonb) AS item(v) WHERE ${jsonEquals(field.expr, raw('item.v'))})`);
  } else if (present.length > 0) {
    const typed = present.map((v, i) => typedValue(field, v, { ...context, where: `${context.where}[${i}]` }));
    terms.push(sql`${comparable(field)} = ANY(${typed}::${raw(SQL_TYPE[field.type])}[])`);
  }
  if (terms.length === 0) return raw('FALSE');
  return terms.length === 1 ? terms[0] : sql`(${terms[0]} OR ${terms[1]})`;
}

function containsAny(field: ResolvedField, values: unknown[], context: OperatorContext): Fragment {
  if (values.length === 0) return raw('FALSE');
  const patterns = values.map((v, i) => {
    if (typeof v === 'string') return containsPattern(v);
    if (typeof v === 'number') return containsPattern(String(v));
    throw err.invalidType(values.length === 1 ? context.where : `${context.where}[${i}]`, 'string');
  });
  if (field.type === 'json') return someString(field.expr, (text) => sql`${text} ILIKE ANY(${patterns}::text[])`);
  return sql`${textOf(field)} ILIKE ANY(${patterns}::text[])`;
}

/**
 * `regex` / `regex_in`: case-insensitive POSIX regular expressions (PostgreSQL `~*`), bound
 * as parameters. A pattern the database cannot compile is the client's ERROR_DB_QUERY (400):
 * reading.ts checks every pattern before the query runs (see `regexPatterns`).
 */
function matchesAny(field: ResolvedField, values: unknown[], context: OperatorContext): Fragment {
  if (values.length === 0) return raw('FALSE');
  const patterns = values.map((v, i) => {
    const where = values.length === 1 ? context.where : `${context.where}[${i}]`;
    if (typeof v !== 'string' || v === '') throw err.invalidType(where, 'non-empty string (a regular expression)');
    checkLimit(v.length, QUERY_LIMITS.patternLength, where, 'characters in a regular expression');
    checkPatternCost(v, where);
    return v;
  });
  if (field.type === 'json') return someString(field.expr, (text) => sql`${text} ~* ANY(${patterns}::text[])`);
  if (field.type !== 'text' && field.type !== 'date') {
    throw err.invalid(
      `${context.condition.where}.k`,
      `'${context.operator}' needs a text or JSON field; ${field.key} is a ${field.type} field`,
    );
  }
  return sql`${comparable(field)} ~* ANY(${patterns}::text[])`;
}

function ordered(symbol: '<' | '<=' | '>' | '>='): OperatorDef {
  return {
    shape: 'scalar',
    compile(field, value, context) {
      if (value === null || value === undefined) throw err.invalidType(context.where, 'a value to compare with');
      const v = bound(field, value, context);
      if (field.type === 'json') {
        return sql`(jsonb_typeof(${field.expr}) = jsonb_typeof(${v}) AND ${field.expr} ${raw(symbol)} ${v})`;
      }
      return sql`${comparable(field)} ${raw(symbol)} ${v}`;
    },
  };
}

/** The field as a UTC instant, for `datetime_*` and `timediff_*`. */
function instant(field: ResolvedField, operator: string): Fragment {
  if (field.type === 'timestamp') return field.expr;
  if (field.type === 'date') return sql`(${field.expr}::timestamp AT TIME ZONE 'UTC')`;
  throw err.dbQuery(`'${operator}' compares datetimes, but ${field.key} is a ${field.type} field`);
}

function temporal(symbol: '<' | '<=' | '>' | '>=', parse: (value: unknown, operator: string) => Date): OperatorDef {
  return {
    shape: 'scalar',
    compile(field, value, { operator }) {
      const expr = instant(field, operator);
      return sql`${expr} ${raw(symbol)} ${parse(value, operator).toISOString()}::timestamptz`;
    },
  };
}

const negate = (fragment: Fragment) => sql`NOT COALESCE((${fragment}), false)`;
const asList = (value: unknown) => (Array.isArray(value) ? value : [value]);

export const OPERATORS: Readonly<Record<string, OperatorDef>> = {
  eq: { shape: 'scalar', compile: equals },
  not: { shape: 'scalar', compile: (f, v, c) => negate(equals(f, v, c)) },
  lt: ordered('<'),
  lte: ordered('<='),
  gt: ordered('>'),
  gte: ordered('>='),
  exists: { shape: 'bool', compile: (f, v) => (v ? negate(isNull(f)) : isNull(f)) },
  contain: { shape: 'scalar', compile: (f, v, c) => containsAny(f, asList(v), c) },
  not_contain: { shape: 'scalar', compile: (f, v, c) => negate(containsAny(f, asList(v), c)) },
  in: { shape: 'list', compile: (f, v, c) => oneOf(f, asList(v), c) },
  not_in: { shape: 'list', compile: (f, v, c) => negate(oneOf(f, asList(v), c)) },
  contain_in: { shape: 'list', compile: (f, v, c) => containsAny(f, asList(v), c) },
  not_contain_in: { shape: 'list', compile: (f, v, c) => negate(containsAny(f, asList(v), c)) },
  match: { shape: 'dict', compile: (f, v, c) => matchElement(f, v, c.condition.where, c.condition.display) },
  regex: { shape: 'scalar', compile: (f, v, c) => matchesAny(f, [v], c) },
  regex_in: { shape: 'list', compile: (f, v, c) => matchesAny(f, asList(v), c) },
  datetime_lt: temporal('<', parseDatetime),
  datetime_lte: temporal('<=', parseDatetime),
  datetime_gt: temporal('>', parseDatetime),
  datetime_gte: temporal('>=', parseDatetime),
  timediff_lt: temporal('<', (v, o) => parseTimediff(v, o)),
  timediff_lte: temporal('<=', (v, o) => parseTimediff(v, o)),
  timediff_gt: temporal('>', (v, o) => parseTimediff(v, o)),
  timediff_gte: temporal('>=', (v, o) => parseTimediff(v, o)),
};
