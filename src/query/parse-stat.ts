import { err } from '../domain/errors.js';
import { parseConditions, type Condition } from './filter.js';
import { isObject, readInteger, readString, rejectUnknownKeys, type Json } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import { parseGroup, parseProject, parseUnwind, requireName } from './parse-stages.js';
import { parsePage, parseSort, queryObject, type PageRequest } from './parse-query.js';
import type { Stage } from './stage-types.js';

export type { GroupField, GroupKey, GroupOperator, ProjectField, ProjectOperator, Stage } from './stage-types.js';

/** `query` of a stat request (core.v2.StatisticsQuery, spec §3.5), checked and normalised. */
export interface StatQuery {
  readonly filter: readonly Condition[];
  readonly filterOr: readonly Condition[];
  readonly keyword?: string;
  readonly page: PageRequest;
  readonly distinct?: string;
  readonly aggregate: readonly Stage[];
}

const STAT_OPTIONS = ['filter', 'filter_or', 'aggregate', 'page', 'distinct', 'keyword'];
const STAGES = ['group', 'count', 'sort', 'limit', 'skip', 'unwind', 'project'];

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

export function parseAggregate(input: unknown, parent = 'query.aggregate'): Stage[] {
  if (input === undefined || input === null) return [];
  const items = Array.isArray(input) ? input : [input];
  checkLimit(items.length, QUERY_LIMITS.stages, parent, 'aggregate stages');
  return items.map((item, i) => {
    const where = `${parent}[${i}]`;
    if (!isObject(item)) throw err.invalidType(where, 'stage object such as {"group": {…}}');
    rejectUnknownKeys(item, STAGES, where);
    const names = Object.keys(item);
    if (names.length !== 1) throw err.invalid(where, `each stage has exactly one of ${STAGES.join(', ')}`);
    return parseStage(item, names[0], where);
  });
}

function parseStage(item: Json, name: string, parent: string): Stage {
  const where = `${parent}.${name}`;
  switch (name) {
    case 'group':
      return parseGroup(item.group, where);
    case 'unwind':
      return parseUnwind(item.unwind, where);
    case 'project':
      return parseProject(item.project, where);
    case 'count': {
      if (!isObject(item.count)) throw err.invalidType(where, '{"name"} object');
      return { kind: 'count', name: requireName(item.count, where) };
    }
    case 'sort':
      return { kind: 'sort', keys: parseSort(item.sort, where), where };
    default:
      return { kind: name as 'limit' | 'skip', value: readInteger(item, name, parent) ?? 0 };
  }
}
