import { err } from '../domain/errors.js';
import { resolveField, type Catalogue } from './catalogue.js';
import { isObject } from './input.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import { OPERATORS } from './operators.js';
import { or, type Fragment } from './sql.js';

/**
 * `query.filter` / `query.filter_or` conditions (spec §3.2). Both spellings of each part are
 * accepted (`k`/`key`, `v`/`value`, `o`/`operator`). Checks run in the upstream order:
 * operator, then the shape of the value, then the key.
 */
export interface Condition {
  readonly key: unknown;
  readonly value: unknown;
  readonly operator: unknown;
  /** Request position, for messages (`query.filter[2]`). */
  readonly where: string;
}

export function parseConditions(input: unknown, where: string): Condition[] {
  if (input === undefined || input === null) return [];
  if (!Array.isArray(input)) throw err.invalidType(where, 'list of {"k", "v", "o"} objects');
  return input.map((item, i) => {
    if (!isObject(item)) throw err.invalidType(`${where}[${i}]`, '{"k", "v", "o"} object');
    return {
      key: item.key ?? item.k,
      value: 'value' in item ? item.value : item.v,
      operator: item.operator ?? item.o,
      where: `${where}[${i}]`,
    };
  });
}

export function compileCondition(catalogue: Catalogue, condition: Condition): Fragment {
  const { operator, value, where } = condition;
  const name = typeof operator === 'string' ? operator : '';
  const definition = Object.hasOwn(OPERATORS, name) ? OPERATORS[name] : undefined;
  if (!definition) {
    const given = JSON.stringify(operator ?? null);
    throw err.dbQuery(`Filter operator is not supported. (${where}.o = ${given}; use one of ${Object.keys(OPERATORS).join(', ')})`);
  }
  const display = { k: condition.key, v: value, o: operator };
  if (definition.shape === 'list' && !Array.isArray(value)) throw err.operatorListValue(name, display);
  if (definition.shape !== 'list' && Array.isArray(value)) throw err.operatorValue(name, display);
  if (definition.shape === 'dict' && !isObject(value)) throw err.operatorDict(name, display);
  if (definition.shape === 'bool' && typeof value !== 'boolean') throw err.operatorBoolean(name, display);
  if (Array.isArray(value)) checkLimit(value.length, QUERY_LIMITS.listValues, `${where}.v`, 'values in one condition');
  const field = resolveField(catalogue, condition.key, `${where}.k`);
  return definition.compile(field, value, { operator: name, where: `${where}.v`, condition: { where, display } });
}

/** The regular expressions of `regex` / `regex_in` conditions, to be checked by the database before use. */
export function regexPatterns(conditions: readonly Condition[]): string[] {
  return conditions.flatMap((c) => {
    if (c.operator === 'regex' && typeof c.value === 'string') return [c.value];
    if (c.operator === 'regex_in' && Array.isArray(c.value)) return c.value.filter((v): v is string => typeof v === 'string');
    return [];
  });
}

/** `filter` AND-ed, then `(filter_or)` as one more AND term when present (spec §3.2). */
export function compileWhere(catalogue: Catalogue, filter: readonly Condition[], filterOr: readonly Condition[]): Fragment[] {
  const terms = filter.map((c) => compileCondition(catalogue, c));
  if (filterOr.length > 0) terms.push(or(filterOr.map((c) => compileCondition(catalogue, c))));
  return terms;
}

/**
 * Request-level filters (`job_id`, `status`, …): a list becomes `in`, a scalar `eq`
 * (the upstream `append_query_filter`). Absent and empty values are skipped.
 */
export function requestConditions(request: Record<string, unknown>, keys: readonly string[]): Condition[] {
  return keys
    .filter((key) => request[key] !== undefined && request[key] !== null && request[key] !== '')
    .map((key) => ({
      key,
      value: request[key],
      operator: Array.isArray(request[key]) ? 'in' : 'eq',
      where: key,
    }));
}

/** `query.keyword`: split on spaces; a row matches when any keyword key contains any word. */
export function compileKeyword(catalogue: Catalogue, keyword: string | undefined): Fragment | undefined {
  const words = (keyword ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return undefined;
  checkLimit(words.length, QUERY_LIMITS.keywordWords, 'query.keyword', 'words');
  return or(
    catalogue.keywordKeys.map((key) => compileCondition(catalogue, { key, value: words, operator: 'contain_in', where: 'query.keyword' })),
  );
}
