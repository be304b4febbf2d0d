import { err } from '../../domain/errors.js';
import { isObject, rejectPrototypeKey, rejectUnsafeInput, type Json } from '../../query/input.js';

/**
 * A GET route's query string as a request message, in the gRPC-gateway convention: a dotted
 * name sets a nested field (`query.page.limit=10`, `query.sort.key=created_at`), and a repeated
 * name gives a list. Numbers and booleans of the Query message are converted; other values stay
 * strings, and unknown names are left for the request parser to reject. A name segment that
 * names a prototype (`__proto__.status`) is refused before anything is set, so walking the path
 * only ever meets the message's own objects.
 */
const INTEGERS = new Set(['query.page.start', 'query.page.limit']);
const BOOLEANS = new Set(['query.count_only', 'query.minimal', 'query.sort.desc']);
const LISTS = new Set(['query.only', 'only']);

export function messageFromQueryString(params: Record<string, string | string[] | undefined>): Json {
  for (const name of Object.keys(params)) {
    for (const segment of name.split('.')) rejectPrototypeKey(segment, `query string name "${name}"`);
  }
  rejectUnsafeInput(params, 'query string');
  const message: Json = {};
  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    const value = convert(name, raw);
    const path = name.split('.');
    let target = message;
    for (const segment of path.slice(0, -1)) {
      if (!Object.hasOwn(target, segment) || !isObject(target[segment])) target[segment] = {};
      target = target[segment] as Json;
    }
    target[path[path.length - 1]] = value;
  }
  return message;
}

function convert(name: string, raw: string | string[]): unknown {
  if (LISTS.has(name)) return Array.isArray(raw) ? raw : [raw];
  const text = Array.isArray(raw) ? raw : [raw];
  if (INTEGERS.has(name)) {
    if (text.length !== 1 || !/^\d+$/.test(text[0])) throw err.invalidType(name, 'integer');
    return Number(text[0]);
  }
  if (BOOLEANS.has(name)) {
    if (text.length !== 1 || !['true', 'false'].includes(text[0])) throw err.invalidType(name, 'boolean (true or false)');
    return text[0] === 'true';
  }
  return raw;
}
