import { err } from '../domain/errors.js';
import { isCalendarDate } from '../domain/time.js';
import { parseConditions, type Condition } from './filter.js';
import { isObject, readEnum, readString, rejectUnknownKeys, type Json } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import { parsePage, parseSort, queryObject } from './parse-query.js';
import type { StatQuery } from './parse-stat.js';
import type { GroupField, GroupKey, GroupOperator, Stage } from './stage-types.js';

/**
 * Cost.analyze (core.v2.TimeSeriesAnalyzeQuery, spec §3.1/§2.5) as a stat pipeline over the
 * published cost rows of one data source:
 *
 *   filter (data source, date range, filter, filter_or, keyword)
 *   → group by group_by + the date (billed_date / billed_month / billed_year), computing `fields`
 *   → sort by date → group by group_by: each field becomes `[{date, value}]` in date order,
 *     plus `_total_<name>`, its sum → sort (default: the first field's total, largest first).
 *
 * A result row: `{"provider": "aws", "cost": [{"date": "2025-08", "value": 12.5}], "_total_cost": 12.5}`.
 * `start` and `end` are inclusive and written in the granularity's form (`2025-08-01`,
 * `2025-08`, `2025`). Ranges are capped (RANGE_CAP) but, unlike upstream, need not be recent.
 */
export const GRANULARITIES = ['DAILY', 'MONTHLY', 'YEARLY'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const DATE_FIELD: Record<Granularity, string> = { DAILY: 'billed_date', MONTHLY: 'billed_month', YEARLY: 'billed_year' };
const DATE_FORM: Record<Granularity, { pattern: RegExp; example: string }> = {
  DAILY: { pattern: /^\d{4}-\d{2}-\d{2}$/, example: 'YYYY-MM-DD' },
  MONTHLY: { pattern: /^\d{4}-(0[1-9]|1[0-2])$/, example: 'YYYY-MM' },
  YEARLY: { pattern: /^\d{4}$/, example: 'YYYY' },
};
/** The longest range one analyze call may cover, in the granularity's units. */
export const RANGE_CAP: Record<Granularity, { units: number; name: string }> = {
  DAILY: { units: 366, name: 'days' },
  MONTHLY: { units: 60, name: 'months' },
  YEARLY: { units: 20, name: 'years' },
};
const FIELD_OPERATORS: readonly GroupOperator[] = ['count', 'sum', 'average', 'max', 'min'];
const OPTIONS = ['granularity', 'start', 'end', 'group_by', 'fields', 'filter', 'filter_or', 'sort', 'page', 'keyword'];
const NOT_SUPPORTED = ['field_group', 'select', 'unwind', 'lookup', 'add_fields'];

/** The analyze query as the stat pipeline it runs (its page as asked: `runAnalyze` caps it). */
export function parseAnalyzeQuery(input: unknown): StatQuery {
  const query = queryObject(input);
  for (const option of NOT_SUPPORTED) {
    if (query[option] !== undefined) throw err.notSupportQueryOption(`query.${option}`, 'not supported by Cost.analyze');
  }
  rejectUnknownKeys(query, OPTIONS, 'query');
  const granularity = readEnum(query, 'granularity', GRANULARITIES, 'query');
  if (granularity === undefined) throw err.required('query.granularity');
  const start = readDate(query, 'start', granularity);
  const end = readDate(query, 'end', granularity);
  checkRange(granularity, start, end);
  const groupBy = parseGroupBy(query.group_by);
  const fields = parseFields(query.fields);
  checkLimit(groupBy.length + fields.length, QUERY_LIMITS.stageEntries, 'query', 'group_by keys and fields');
  const names = [...groupBy.map((k) => k.name), ...fields.map((f) => f.name)];
  const taken = names.find((name, i) => names.indexOf(name) !== i || name === 'date' || name.startsWith('_total_'));
  if (taken !== undefined) throw err.invalid('query', `result name "${taken}" is used twice or reserved (date, _total_*)`);

  const dateField = DATE_FIELD[granularity];
  const range: Condition[] = [
    { key: dateField, value: start, operator: 'gte', where: 'query.start' },
    { key: dateField, value: end, operator: 'lte', where: 'query.end' },
  ];
  const byName = (name: string, where: string): GroupKey => ({ key: name, name, where });
  const pushed = (f: GroupField): GroupField[] => [
    {
      name: f.name,
      operator: 'push',
      fields: [
        { key: 'date', name: 'date' },
        { key: f.name, name: 'value' },
      ],
      conditions: [],
      where: f.where,
    },
    { key: f.name, name: `_total_${f.name}`, operator: 'sum', fields: [], conditions: [], where: f.where },
  ];
  const sort = parseSort(query.sort, 'query.sort');
  const aggregate: Stage[] = [
    { kind: 'group', keys: [...groupBy, { key: dateField, name: 'date', where: 'query.granularity' }], fields, where: 'query' },
    { kind: 'sort', keys: [{ key: 'date', desc: false }], where: 'query.granularity' },
    { kind: 'group', keys: groupBy.map((k) => byName(k.name, k.where)), fields: fields.flatMap(pushed), where: 'query' },
    { kind: 'sort', keys: sort.length > 0 ? sort : [{ key: `_total_${fields[0].name}`, desc: true }], where: 'query.sort' },
  ];
  return {
    filter: [...range, ...parseConditions(query.filter, 'query.filter')],
    filterOr: parseConditions(query.filter_or, 'query.filter_or'),
    keyword: readString(query, 'keyword', 'query'),
    page: parsePage(query, 'query'),
    aggregate,
  };
}

function readDate(query: Json, key: 'start' | 'end', granularity: Granularity): string {
  const value = readString(query, key, 'query');
  if (value === undefined) throw err.required(`query.${key}`);
  const form = DATE_FORM[granularity];
  const valid = form.pattern.test(value) && (granularity !== 'DAILY' || isCalendarDate(value));
  if (!valid) throw err.invalidType(`query.${key}`, `${form.example} (for ${granularity})`);
  return value;
}

/** Units from start to end inclusive: days, months or years. */
function span(granularity: Granularity, start: string, end: string): number {
  if (granularity === 'DAILY') return (Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000 + 1;
  const year = (s: string) => Number(s.slice(0, 4));
  if (granularity === 'YEARLY') return year(end) - year(start) + 1;
  return (year(end) - year(start)) * 12 + Number(end.slice(5, 7)) - Number(start.slice(5, 7)) + 1;
}

function checkRange(granularity: Granularity, start: string, end: string): void {
  const units = span(granularity, start, end);
  if (units < 1) throw err.invalidDateRange(`end (${end}) must not be before start (${start}).`);
  const cap = RANGE_CAP[granularity];
  if (units > cap.units) {
    throw err.invalidDateRange(
      `${granularity} analyze covers at most ${cap.units} ${cap.name}; ${start} to ${end} is ${units}. Split the range.`,
    );
  }
}

/** `group_by`: keys as strings or `{key, name}`. */
function parseGroupBy(input: unknown): GroupKey[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw err.invalidType('query.group_by', 'list of keys or {"key", "name"} objects');
  return input.map((item, i) => {
    const where = `query.group_by[${i}]`;
    if (typeof item === 'string' && item !== '') return { key: item, name: item, where };
    if (!isObject(item)) throw err.invalidType(where, 'key or {"key", "name"} object');
    const key = readString(item, 'key', where);
    if (key === undefined) throw err.required(`${where}.key`);
    return { key, name: readString(item, 'name', where) ?? key, where };
  });
}

/** `fields`: `{"cost": {"key": "cost", "operator": "sum"}}`. */
function parseFields(input: unknown): GroupField[] {
  if (input === undefined || input === null) throw err.required('query.fields');
  if (!isObject(input)) throw err.invalidType('query.fields', '{"name": {"key", "operator"}} object');
  const entries = Object.entries(input);
  if (entries.length === 0) throw err.required('query.fields');
  return entries.map(([name, spec]) => {
    const where = `query.fields.${name}`;
    if (!isObject(spec)) throw err.invalidType(where, '{"key", "operator"} object');
    rejectUnknownKeys(spec, ['key', 'operator'], where);
    const operator = readEnum(spec, 'operator', FIELD_OPERATORS, where);
    if (operator === undefined) throw err.required(`${where}.operator`);
    const key = readString(spec, 'key', where);
    if (key === undefined && operator !== 'count') throw err.required(`${where}.key`);
    return { key, name, operator, fields: [], conditions: [], where };
  });
}
