import { orderTerm, resolveField, uniqueKeysOf, type Catalogue, type SortKey } from './catalogue.js';
import { compileCondition, compileKeyword, compileWhere, regexPatterns, type Condition } from './filter.js';
import { checkLimit, QUERY_LIMITS } from './limits.js';
import type { ListQuery } from './parse-query.js';
import { and, compile, join, raw, sql, type CompiledSql, type Fragment } from './sql.js';

/**
 * What every list and stat filters by, AND-ed: the caller's scope (from auth/scope.ts), the
 * request-level filters, `query.filter`, `(query.filter_or)` and the keyword. The keyword is
 * AND-ed with the rest (the upstream ORs it into `filter_or`, spec §9 item 23), so a keyword
 * always narrows a result and never widens it.
 */
export interface FilterInput {
  readonly scope: Fragment;
  readonly conditions: readonly Condition[];
  readonly filter: readonly Condition[];
  readonly filterOr: readonly Condition[];
  readonly keyword?: string;
}

export function compileFilters(catalogue: Catalogue, input: FilterInput): Fragment {
  const keyword = compileKeyword(catalogue, input.keyword);
  const total = input.conditions.length + input.filter.length + input.filterOr.length;
  checkLimit(total, QUERY_LIMITS.conditions, 'query.filter', 'conditions (filter, filter_or and request filters together)');
  return and([
    input.scope,
    ...input.conditions.map((c) => compileCondition(catalogue, c)),
    ...compileWhere(catalogue, input.filter, input.filterOr),
    ...(keyword ? [keyword] : []),
  ]);
}

/**
 * `ORDER BY` for the given sort (or the resource default), with the id (every key of a
 * composite one) last so pages never overlap. Missing values sort first ascending and last descending, as in MongoDB.
 */
export function compileOrder(catalogue: Catalogue, sort: readonly SortKey[], where = 'query.sort'): Fragment {
  const keys = sort.length > 0 ? sort : catalogue.defaultSort;
  const terms = keys.map((s, i) => {
    const field = resolveField(catalogue, s.key, keys === sort ? `${where}[${i}].key` : 'sort');
    return orderTerm(field, s.desc);
  });
  for (const id of uniqueKeysOf(catalogue)) {
    if (!keys.some((s) => s.key === id)) terms.push(raw(`${catalogue.fields[id].sql} ASC`));
  }
  return join(terms, ', ');
}

/** The column of `pageWithTotal` that carries the count. */
export const LIST_TOTAL = 'costsync_list_total';

export interface ListPlan {
  /** Absent for `count_only`. */
  readonly rows?: CompiledSql;
  /**
   * The page and, in each of its rows, the count of every match (column LIST_TOTAL): both in
   * one statement, so from one snapshot without a transaction. An empty page carries no
   * count; then `count` and `rows` are read in a snapshot. Absent for `count_only`.
   */
  readonly pageWithTotal?: CompiledSql;
  readonly count: CompiledSql;
  readonly only?: readonly string[];
  readonly minimal: boolean;
  /** Regular expressions the database must accept before the query runs. */
  readonly patterns: readonly string[];
}

export function compileList(
  catalogue: Catalogue,
  query: ListQuery,
  context: { scope: Fragment; conditions: readonly Condition[] },
): ListPlan {
  const where = compileFilters(catalogue, { ...context, ...query });
  for (const [i, key] of (query.only ?? []).entries()) resolveField(catalogue, key, `query.only[${i}]`);
  const from = sql`FROM ${raw(catalogue.source)} WHERE ${where}`;
  const count = compile(sql`SELECT count(*) AS total ${from}`);
  const patterns = regexPatterns([...context.conditions, ...query.filter, ...query.filterOr]);
  if (query.countOnly) return { count, minimal: query.minimal, only: query.only, patterns };
  const limit = Math.min(query.page.limit || catalogue.pageLimit.default, catalogue.pageLimit.max);
  const order = compileOrder(catalogue, query.sort);
  const page = sql`${from} ORDER BY ${order} LIMIT ${limit} OFFSET ${query.page.start - 1}`;
  const rows = compile(sql`SELECT ${raw(catalogue.select)} ${page}`);
  const total = sql`(SELECT count(*) ${from}) AS ${raw(LIST_TOTAL)}`;
  const pageWithTotal = compile(sql`SELECT ${raw(catalogue.select)}, ${total} ${page}`);
  return { rows, pageWithTotal, count, only: query.only, minimal: query.minimal, patterns };
}
