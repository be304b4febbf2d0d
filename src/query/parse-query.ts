import { err } from '../domain/errors.js';
import type { SortKey } from './catalogue.js';
import { parseConditions, type Condition } from './filter.js';
import { isObject, readBoolean, readInteger, readString, readStringList, rejectUnknownKeys, type Json } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';

/** `query` of a list request (core.v2.Query, spec §3.1), checked and normalised. */
export interface ListQuery {
  readonly filter: readonly Condition[];
  readonly filterOr: readonly Condition[];
  readonly sort: readonly SortKey[];
  readonly page: PageRequest;
  readonly countOnly: boolean;
  readonly minimal: boolean;
  readonly only?: readonly string[];
  readonly keyword?: string;
}

/** `start` is 1-based; `limit` 0 means "not given". */
export interface PageRequest {
  readonly start: number;
  readonly limit: number;
}

const LIST_OPTIONS = ['filter', 'filter_or', 'sort', 'page', 'minimal', 'count_only', 'only', 'keyword'];
/** Upstream options that switch to an aggregation pipeline; not compiled by this version. */
const PIPELINE_OPTIONS = ['unwind', 'lookup', 'add_fields'];

export function queryObject(input: unknown, where = 'query'): Json {
  if (input === undefined || input === null) return {};
  if (!isObject(input)) throw err.invalidType(where, 'object');
  return input;
}

export function parseListQuery(input: unknown): ListQuery {
  const query = queryObject(input);
  for (const option of PIPELINE_OPTIONS) {
    if (query[option] !== undefined) throw err.notSupportQueryOption(`query.${option}`, 'not supported by this version');
  }
  rejectUnknownKeys(query, LIST_OPTIONS, 'query');
  const only = readStringList(query, 'only', 'query');
  checkLimit(only?.length ?? 0, QUERY_LIMITS.onlyKeys, 'query.only', 'keys');
  return {
    filter: parseConditions(query.filter, 'query.filter'),
    filterOr: parseConditions(query.filter_or, 'query.filter_or'),
    sort: parseSort(query.sort, 'query.sort'),
    page: parsePage(query, 'query'),
    countOnly: readBoolean(query, 'count_only', 'query') ?? false,
    minimal: readBoolean(query, 'minimal', 'query') ?? false,
    only,
    keyword: readString(query, 'keyword', 'query'),
  };
}

/** A list of `{key, desc}`; a single object is accepted too. Keys are checked when compiled. */
export function parseSort(input: unknown, where: string): SortKey[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : [input];
  checkLimit(items.length, QUERY_LIMITS.sortKeys, where, 'sort keys');
  return items.map((item, i) => {
    const position = Array.isArray(input) ? `${where}[${i}]` : where;
    if (!isObject(item)) throw err.invalidType(position, '{"key", "desc"} object');
    const key = readString(item, 'key', position);
    if (key === undefined) throw err.required(`${position}.key`);
    return { key, desc: readBoolean(item, 'desc', position) ?? false };
  });
}

export function parsePage(query: Json, where: string): PageRequest {
  const page = query.page;
  if (page === undefined || page === null) return { start: 1, limit: 0 };
  if (!isObject(page)) throw err.invalidType(`${where}.page`, '{"start", "limit"} object');
  return {
    start: Math.max(1, readInteger(page, 'start', `${where}.page`) ?? 1),
    limit: readInteger(page, 'limit', `${where}.page`) ?? 0,
  };
}
