import { err } from '../domain/errors.js';
import type { SortKey } from './catalogue.js';
import { parseConditions, type Condition } from './filter.js';
import { isObject, readInteger, readString, rejectUnknownKeys, type Json } from './input.js';
import { parsePage, parseSort, queryObject, type PageRequest } from './parse-query.js';

/** `query` of a stat request (core.v2.StatisticsQuery, spec §3.5), checked and normalised. */
export interface StatQuery {
  readonly filter: readonly Condition[];
  readonly filterOr: readonly Condition[];
  readonly keyword?: string;
  readonly page: PageRequest;
  readonly distinct?: string;
  readonly aggregate: readonly Stage[];
}

export type Stage =
  | { readonly kind: 'group'; readonly keys: readonly GroupKey[]; readonly fields: readonly GroupField[]; readonly where: string }
  | { readonly kind: 'count'; readonly name: string }
  | { readonly kind: 'sort'; readonly keys: readonly SortKey[]; readonly where: string }
  | { readonly kind: 'limit'; readonly value: number }
  | { readonly kind: 'skip'; readonly value: number };

export interface GroupKey {
  readonly key: string;
  readonly name: string;
  readonly dateFormat?: string;
  readonly where: string;
}

export const GROUP_OPERATORS = ['count', 'sum', 'average', 'min', 'max'] as const;
export type GroupOperator = (typeof GROUP_OPERATORS)[number];

export interface GroupField {
  readonly key?: string;
  readonly name: string;
  readonly operator: GroupOperator;
  readonly conditions: readonly Condition[];
  readonly where: string;
}

const STAT_OPTIONS = ['filter', 'filter_or', 'aggregate', 'page', 'distinct', 'keyword'];
const STAGES = ['group', 'count', 'sort', 'limit', 'skip', 'unwind', 'project'];
const UNSUPPORTED_STAGES = ['unwind', 'project'];
const UNSUPPORTED_GROUP_OPERATORS = ['first', 'last', 'push', 'add_to_set', 'merge_objects'];

export function parseStatQuery(input: unknown): StatQuery {
  const query = queryObject(input);
  rejectUnknownKeys(query, STAT_OPTIONS, 'query');
  const distinct = readString(query, 'distinct', 'query');
  const aggregate = parseAggregate(query.aggregate);
  if (distinct === undefined && aggregate.length === 0) throw err.required('query.aggregate');
  return {
    filter: parseConditions(query.filter, 'query.filter'),
    filterOr: parseConditions(query.filter_or, 'query.filter_or'),
    keyword: readString(query, 'keyword', 'query'),
    page: parsePage(query, 'query'),
    distinct,
    aggregate,
  };
}

function parseAggregate(input: unknown): Stage[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : [input];
  return items.map((item, i) => {
    const where = `query.aggregate[${i}]`;
    if (!isObject(item)) throw err.invalidType(where, 'stage object such as {"group": {…}}');
    rejectUnknownKeys(item, STAGES, where);
    const names = Object.keys(item);
    if (names.length !== 1) throw err.invalid(where, `each stage has exactly one of ${STAGES.join(', ')}`);
    const name = names[0];
    if (UNSUPPORTED_STAGES.includes(name)) {
      throw err.notSupportQueryOption(`${where}.${name}`, 'stage not supported by this version');
    }
    return parseStage(item, name, where);
  });
}

function parseStage(item: Json, name: string, parent: string): Stage {
  const where = `${parent}.${name}`;
  switch (name) {
    case 'group':
      return parseGroup(item.group, where);
    case 'count': {
      const count = isObject(item.count) ? item.count : undefined;
      if (!count) throw err.invalidType(where, '{"name"} object');
      return { kind: 'count', name: requireName(count, where) };
    }
    case 'sort':
      return { kind: 'sort', keys: parseSort(item.sort, where), where };
    default:
      return { kind: name as 'limit' | 'skip', value: readInteger(item, name, parent) ?? 0 };
  }
}

function parseGroup(input: unknown, where: string): Stage {
  if (!isObject(input)) throw err.invalidType(where, '{"keys", "fields"} object');
  rejectUnknownKeys(input, ['keys', 'fields'], where);
  const keys = listOf(input.keys, `${where}.keys`).map((key, i) => parseGroupKey(key, `${where}.keys[${i}]`));
  const fields = listOf(input.fields, `${where}.fields`).map((field, i) => parseGroupField(field, `${where}.fields[${i}]`));
  if (keys.length + fields.length === 0) throw err.required(`${where}.keys`);
  const names = [...keys, ...fields].map((entry) => entry.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw err.invalid(where, `name "${repeated}" is used twice`);
  return { kind: 'group', keys, fields, where };
}

function listOf(input: unknown, where: string): Json[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || !input.every(isObject)) throw err.invalidType(where, 'list of objects');
  return input;
}

const alias = (input: Json, long: string, short: string) => input[long] ?? input[short];

/** Group keys accept `key`/`k` and `name`/`n`; the name defaults to the key. */
function parseGroupKey(input: Json, where: string): GroupKey {
  const key = alias(input, 'key', 'k');
  if (typeof key !== 'string' || key === '') throw err.required(`${where}.key`);
  const name = alias(input, 'name', 'n') ?? key;
  if (typeof name !== 'string' || name === '') throw err.invalidType(`${where}.name`, 'string');
  return { key, name, dateFormat: readString(input, 'date_format', where), where };
}

function parseGroupField(input: Json, where: string): GroupField {
  const operator = alias(input, 'operator', 'o');
  if (typeof operator === 'string' && UNSUPPORTED_GROUP_OPERATORS.includes(operator)) {
    throw err.notSupportQueryOption(`${where}.operator`, `group operator "${operator}" is not supported by this version`);
  }
  if (!(GROUP_OPERATORS as readonly unknown[]).includes(operator)) {
    const given = JSON.stringify(operator ?? null);
    throw err.dbQuery(`group operator is not supported. (${where}.operator = ${given}; use one of ${GROUP_OPERATORS.join(', ')})`);
  }
  const key = alias(input, 'key', 'k');
  if (key !== undefined && (typeof key !== 'string' || key === '')) throw err.invalidType(`${where}.key`, 'string');
  if (key === undefined && operator !== 'count') throw err.required(`${where}.key`);
  const conditions = parseConditions(input.conditions, `${where}.conditions`);
  if (conditions.length > 0 && (operator === 'min' || operator === 'max')) {
    throw err.invalid(`${where}.conditions`, `conditions are not allowed with "${operator}"`);
  }
  return {
    key: key as string | undefined,
    name: requireName(input, where),
    operator: operator as GroupOperator,
    conditions,
    where,
  };
}

function requireName(input: Json, where: string): string {
  const name = alias(input, 'name', 'n');
  if (typeof name !== 'string' || name === '') throw err.required(`${where}.name`);
  return name;
}
