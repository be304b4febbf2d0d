import { err } from '../domain/errors.js';
import type { ResolvedField } from './catalogue.js';
import { isObject } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import { and, raw, sql, type Fragment } from './sql.js';

/**
 * Operator building blocks over JSONB values, with MongoDB's array rules: an operator that
 * tests a value also matches when the field is a list and any element passes.
 */

/** The elements of a JSON array; none for any other JSON value (so it never raises). */
export function elementsOf(json: Fragment): Fragment {
  return sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} ELSE '[]'::jsonb END)`;
}

/** JSON equality as in MongoDB: the value itself, or any element when the field is an array. */
export function jsonEquals(json: Fragment, value: Fragment): Fragment {
  return sql`(${json} = ${value} OR EXISTS (SELECT 1 FROM ${elementsOf(json)} AS element(v) WHERE element.v = ${value}))`;
}

export function jsonIsNull(json: Fragment): Fragment {
  return sql`(${json} IS NULL OR ${json} = 'null'::jsonb)`;
}

/**
 * True when the JSON value is a string, or a list with a string element, whose text passes
 * `test` (given the text as a fragment). Numbers, booleans and objects never match, as a
 * MongoDB `$regex` only matches strings.
 */
export function someString(json: Fragment, test: (text: Fragment) => Fragment): Fragment {
  const candidates = sql`jsonb_array_elements(CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} ELSE jsonb_build_array(${json}) END)`;
  return sql`EXISTS (SELECT 1 FROM ${candidates} AS candidate(v) WHERE jsonb_typeof(candidate.v) = 'string' AND ${test(raw(`(candidate.v #>> '{}')`))})`;
}

/**
 * `match` (MongoDB `$elemMatch`): the field is a list with an object element in which every
 * key of `value` equals its value (a dotted key reaches into the element; a list inside the
 * element matches when any of its items is equal; `null` matches a missing key). An empty
 * object matches a list with any object element.
 */
export function matchElement(field: ResolvedField, value: unknown, where: string, condition: unknown): Fragment {
  if (!isObject(value)) throw err.operatorDict('match', condition);
  if (field.type !== 'json') {
    throw err.invalid(`${where}.k`, `'match' needs a JSON list field (such as changed); ${field.key} is a ${field.type} field`);
  }
  const entries = Object.entries(value);
  checkLimit(entries.length, QUERY_LIMITS.matchKeys, `${where}.v`, 'keys in a match object');
  const terms = entries.map(([key, expected]) => {
    const path = key.split('.');
    if (path.some((segment) => segment === '')) throw err.invalid(`${where}.v`, `"${key}" is not a key; use names such as start or a.b`);
    const inner = sql`(element.v #> ${path}::text[])`;
    if (expected === null) return jsonIsNull(inner);
    return nestedEquals(inner, JSON.stringify(expected));
  });
  return sql`EXISTS (SELECT 1 FROM ${elementsOf(field.expr)} AS element(v) WHERE jsonb_typeof(element.v) = 'object' AND ${and(terms)})`;
}

/** Equality inside a matched element; `nested` aliases keep the inner EXISTS apart from the outer one. */
function nestedEquals(inner: Fragment, json: string): Fragment {
  const array = sql`CASE WHEN jsonb_typeof(${inner}) = 'array' THEN ${inner} ELSE '[]'::jsonb END`;
  return sql`(${inner} = ${json}::jsonb OR EXISTS (SELECT 1 FROM jsonb_array_elements(${array}) AS nested(v) WHERE nested.v = ${json}::jsonb))`;
}
