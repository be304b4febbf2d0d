import { err } from '../domain/errors.js';
import { parseConditions } from './filter.js';
import { isObject, readBoolean, readString, rejectUnknownKeys, type Json } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import {
  GROUP_OPERATORS,
  PROJECT_OPERATORS,
  type GroupField,
  type GroupKey,
  type GroupOperator,
  type ProjectField,
  type ProjectOperator,
  type Stage,
} from './stage-types.js';

/** Readers of the group, unwind and project stages (spec §3.5). Keys are checked when compiled. */

const alias = (input: Json, long: string, short: string) => input[long] ?? input[short];

export function parseGroup(input: unknown, where: string): Stage {
  if (!isObject(input)) throw err.invalidType(where, '{"keys", "fields"} object');
  rejectUnknownKeys(input, ['keys', 'fields'], where);
  const keys = listOf(input.keys, `${where}.keys`).map((key, i) => parseGroupKey(key, `${where}.keys[${i}]`));
  const fields = listOf(input.fields, `${where}.fields`).map((field, i) => parseGroupField(field, `${where}.fields[${i}]`));
  if (keys.length + fields.length === 0) throw err.required(`${where}.keys`);
  checkLimit(keys.length + fields.length, QUERY_LIMITS.stageEntries, where, 'keys and fields in a group');
  rejectRepeatedNames([...keys, ...fields], where);
  return { kind: 'group', keys, fields, where };
}

export function parseUnwind(input: unknown, where: string): Stage {
  if (!isObject(input)) throw err.invalidType(where, '{"path", "filter"} object');
  rejectUnknownKeys(input, ['path', 'filter'], where);
  const path = readString(input, 'path', where);
  if (path === undefined) throw err.required(`${where}.path`);
  const filter = parseConditions(input.filter, `${where}.filter`);
  checkLimit(filter.length, QUERY_LIMITS.stageConditions, `${where}.filter`, 'conditions');
  return { kind: 'unwind', path, filter, where };
}

export function parseProject(input: unknown, where: string): Stage {
  if (!isObject(input)) throw err.invalidType(where, '{"fields", "exclude_keys"} object');
  rejectUnknownKeys(input, ['fields', 'exclude_keys'], where);
  const fields = listOf(input.fields, `${where}.fields`).map((field, i) => parseProjectField(field, `${where}.fields[${i}]`));
  if (fields.length === 0) throw err.required(`${where}.fields`);
  checkLimit(fields.length, QUERY_LIMITS.stageEntries, where, 'fields in a project');
  rejectRepeatedNames(fields, where);
  return { kind: 'project', fields, excludeKeys: readBoolean(input, 'exclude_keys', where) ?? false, where };
}

function rejectRepeatedNames(entries: readonly { name: string }[], where: string): void {
  const names = entries.map((entry) => entry.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw err.invalid(where, `name "${repeated}" is used twice`);
}

function listOf(input: unknown, where: string): Json[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input) || !input.every(isObject)) throw err.invalidType(where, 'list of objects');
  return input;
}

function optionalKey(input: Json, where: string): string | undefined {
  const key = alias(input, 'key', 'k');
  if (key !== undefined && (typeof key !== 'string' || key === '')) throw err.invalidType(`${where}.key`, 'string');
  return key as string | undefined;
}

/** Group keys accept `key`/`k` and `name`/`n`; the name defaults to the key. */
function parseGroupKey(input: Json, where: string): GroupKey {
  const key = optionalKey(input, where);
  if (key === undefined) throw err.required(`${where}.key`);
  const name = alias(input, 'name', 'n') ?? key;
  if (typeof name !== 'string' || name === '') throw err.invalidType(`${where}.name`, 'string');
  return { key, name, dateFormat: readString(input, 'date_format', where), where };
}

/** Operators whose `conditions` pick the rows they count, sum or average. */
const CONDITIONAL: readonly GroupOperator[] = ['count', 'sum', 'average'];

function parseGroupField(input: Json, where: string): GroupField {
  const operator = alias(input, 'operator', 'o');
  if (!(GROUP_OPERATORS as readonly unknown[]).includes(operator)) {
    const given = JSON.stringify(operator ?? null);
    throw err.dbQuery(`group operator is not supported. (${where}.operator = ${given}; use one of ${GROUP_OPERATORS.join(', ')})`);
  }
  const key = optionalKey(input, where);
  const fields = listOf(input.fields, `${where}.fields`).map((field, i) => {
    const at = `${where}.fields[${i}]`;
    const fieldKey = optionalKey(field, at);
    if (fieldKey === undefined) throw err.required(`${at}.key`);
    return { key: fieldKey, name: requireName(field, at) };
  });
  if (fields.length > 0 && operator !== 'push') throw err.invalid(`${where}.fields`, 'only "push" takes fields');
  if (fields.length > 0 && key !== undefined) throw err.invalid(where, 'give "push" either a key or fields, not both');
  checkLimit(fields.length, QUERY_LIMITS.stageEntries, `${where}.fields`, 'fields');
  rejectRepeatedNames(fields, `${where}.fields`);
  if (key === undefined && fields.length === 0 && operator !== 'count') throw err.required(`${where}.key`);
  const conditions = parseConditions(input.conditions, `${where}.conditions`);
  checkLimit(conditions.length, QUERY_LIMITS.stageConditions, `${where}.conditions`, 'conditions');
  if (conditions.length > 0 && !CONDITIONAL.includes(operator as GroupOperator)) {
    throw err.invalid(`${where}.conditions`, `conditions are only allowed with ${CONDITIONAL.join(', ')}, not "${operator}"`);
  }
  return { key, name: requireName(input, where), operator: operator as GroupOperator, fields, conditions, where };
}

function parseProjectField(input: Json, where: string): ProjectField {
  const key = optionalKey(input, where);
  if (key === undefined) throw err.required(`${where}.key`);
  const operator = alias(input, 'operator', 'o');
  if (operator !== undefined && operator !== null && !(PROJECT_OPERATORS as readonly unknown[]).includes(operator)) {
    const given = JSON.stringify(operator);
    throw err.dbQuery(`project operator is not supported. (${where}.operator = ${given}; use one of ${PROJECT_OPERATORS.join(', ')})`);
  }
  const name = alias(input, 'name', 'n') ?? key;
  if (typeof name !== 'string' || name === '') throw err.invalidType(`${where}.name`, 'string');
  return { key, name, operator: (operator ?? undefined) as ProjectOperator | undefined, where };
}

export function requireName(input: Json, where: string): string {
  const name = alias(input, 'name', 'n');
  if (typeof name !== 'string' || name === '') throw err.required(`${where}.name`);
  return name;
}
