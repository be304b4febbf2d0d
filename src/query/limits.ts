import { err } from '../domain/errors.js';

/**
 * Upper bounds on what one query may ask for. They keep a single request from building a
 * statement that is huge to plan or slow to run; each is far above what a console sends.
 * Request bodies themselves are capped at 1 MiB by the REST layer.
 */
export const QUERY_LIMITS = {
  /** `filter` + `filter_or` + request-level filters together. */
  conditions: 100,
  /** Values of one `in` / `not_in` / `contain_in` / `regex_in` condition. */
  listValues: 1_000,
  /** Characters of one `regex` pattern. */
  patternLength: 1_000,
  /** Keys of one `match` object. */
  matchKeys: 20,
  /** Words of `keyword`. */
  keywordWords: 20,
  /** `sort` keys of a list, or of one sort stage. */
  sortKeys: 10,
  /** `only` keys. */
  onlyKeys: 100,
  /** Stages of one `aggregate` pipeline. */
  stages: 20,
  /** Keys + fields of one group stage, fields of one project stage, `group_by` + `fields` of analyze. */
  stageEntries: 50,
  /** Conditions of one group field or unwind filter. */
  stageConditions: 20,
} as const;

/** Throws ERROR_INVALID_PARAMETER when `count` exceeds the limit, naming the position and the limit. */
export function checkLimit(count: number, limit: number, where: string, what: string): void {
  if (count > limit) throw err.invalid(where, `at most ${limit} ${what} per query; got ${count}`);
}
