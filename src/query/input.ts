import { err } from '../domain/errors.js';

/**
 * Typed readers for JSON input (request bodies and queries). Each names the position of a bad
 * value (`query.page.limit`) and the type it wants, so a message says exactly what to fix.
 * As on the upstream wire (proto3), an empty string counts as absent.
 */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const at = (where: string, key: string) => (where ? `${where}.${key}` : key);
const absent = (value: unknown) => value === undefined || value === null || value === '';

export function readObject(input: Json, key: string, where = ''): Json | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw err.invalidType(at(where, key), 'object');
  return value;
}

export function readString(input: Json, key: string, where = ''): string | undefined {
  const value = input[key];
  if (absent(value)) return undefined;
  if (typeof value !== 'string') throw err.invalidType(at(where, key), 'string');
  return value;
}

export function requireString(input: Json, key: string, where = ''): string {
  const value = readString(input, key, where);
  if (value === undefined || value.trim() === '') throw err.required(at(where, key));
  return value;
}

export function readBoolean(input: Json, key: string, where = ''): boolean | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw err.invalidType(at(where, key), 'boolean');
  return value;
}

export function readInteger(input: Json, key: string, where = '', min = 0, max = 2 ** 31 - 1): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw err.invalidType(at(where, key), 'integer');
  if (value < min || value > max) throw err.invalid(at(where, key), `must be an integer from ${min} to ${max}`);
  return value;
}

export function readStringList(input: Json, key: string, where = ''): string[] | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw err.invalidType(at(where, key), 'list of strings');
  }
  return value as string[];
}

/** One of a closed set of names; the message lists them. */
export function readEnum<T extends string>(input: Json, key: string, allowed: readonly T[], where = ''): T | undefined {
  const value = readString(input, key, where);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw err.invalid(at(where, key), `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Rejects keys a message does not have, naming them and the ones it does. */
export function rejectUnknownKeys(input: Json, known: readonly string[], where: string): void {
  const unknown = Object.keys(input).filter((key) => !known.includes(key));
  if (unknown.length === 0) return;
  throw err.invalid(where, `unknown ${unknown.map((k) => `"${k}"`).join(', ')}; expected ${known.join(', ')}`);
}

/** No request needs deeper nesting (a query's deepest part, a `match` object in a filter, is 6). */
const MAX_DEPTH = 32;

/**
 * The checks every request value passes at the edge (REST query strings and JSON bodies,
 * gRPC messages), in one walk:
 * - PostgreSQL text cannot hold a NUL character; refusing it at the edge keeps such a request
 *   a clear 400 instead of a database error deep inside a write.
 * - No message has a field `__proto__`, `constructor` or `prototype`, and as an object key each
 *   reaches a prototype (`target[key] = …` sets or walks into one): refusing them here means
 *   nothing built later from request keys can write into `Object.prototype`.
 * - Values nest at most MAX_DEPTH levels, so no later walk of a request can exhaust the stack.
 */
export function rejectUnsafeInput(value: unknown, where = 'body', depth = 0): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw err.invalid(where, 'text must not contain NUL (\\u0000) characters');
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  if (depth >= MAX_DEPTH) throw err.invalid(where, `values nest at most ${MAX_DEPTH} levels deep`);
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) rejectUnsafeInput(item, `${where}[${i}]`, depth + 1);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      rejectUnsafeInput(key, where, depth);
      rejectPrototypeKey(key, `${where}.${key}`);
      rejectUnsafeInput(item, `${where}.${key}`, depth + 1);
    }
  }
}

const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a key names a prototype (`__proto__`, `constructor`, `prototype`). */
export function isPrototypeKey(key: string): boolean {
  return PROTOTYPE_KEYS.has(key);
}

/** Refuses a key that names a prototype; `where` is its whole path (`body.query.__proto__`). */
export function rejectPrototypeKey(key: string, where: string): void {
  if (isPrototypeKey(key)) throw err.invalid(where, `"${key}" is not a field name`);
}
