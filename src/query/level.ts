import type { Catalogue, FieldType } from './catalogue.js';
import { raw, sql, type Fragment } from './sql.js';

/**
 * One SELECT level of an aggregate pipeline. Each stage turns the level before it into a new
 * one; `render` gives its SQL. Rows are documents (the resource's fields, with unwound paths)
 * until a group, count or project stage turns them into result rows with named columns.
 */
export interface OutputColumn {
  readonly name: string;
  /** Generated SQL alias (`k0`, `f1`, `p2_0`, `u3`); client names are never SQL. */
  readonly alias: string;
  /** How the value is rendered: timestamps as `…mmmZ`, numbers as numbers, json as is. */
  readonly type: FieldType;
}

export interface TiebreakTerm {
  /** The key this term orders by, so a sort on the same key does not repeat it. */
  readonly name?: string;
  readonly term: Fragment;
}

export interface Level {
  readonly body: Fragment;
  /** What keys address here: the resource's fields (documents) or the result names. */
  readonly fields: Catalogue;
  /** Result columns; absent while the rows are still documents. */
  readonly columns?: readonly OutputColumn[];
  /** The current group keys (kept by `project` unless `exclude_keys`). */
  readonly keyColumns: readonly OutputColumn[];
  /** Terms that make any order total: the id and unwind positions, or the group keys. */
  readonly tiebreak: readonly TiebreakTerm[];
  /** The order of an explicit sort stage. */
  readonly order?: Fragment;
  /** The order `first`, `last` and `push` see when no sort stage came before. */
  readonly sequence: Fragment;
  readonly offset: number;
  readonly limit?: number;
}

/** A window (limit/skip) without a sort stage takes the rows in their sequence. */
export function render(level: Level): Fragment {
  const windowed = level.limit !== undefined || level.offset > 0;
  const by = level.order ?? (windowed ? level.sequence : undefined);
  const order = by ? sql` ORDER BY ${by}` : raw('');
  const limit = level.limit !== undefined ? sql` LIMIT ${level.limit}` : raw('');
  const offset = level.offset > 0 ? sql` OFFSET ${level.offset}` : raw('');
  return sql`${level.body}${order}${limit}${offset}`;
}

/** The level as the FROM of the next one. Its order is dropped when nothing depends on it (no limit or skip). */
export function source(level: Level, depth: number): Fragment {
  const unordered = level.limit === undefined && level.offset === 0 ? { ...level, order: undefined } : level;
  return sql`(${render(unordered)}) AS ${raw(`s${depth}`)}`;
}

/** The level as a subquery, keeping its order for the levels above. */
export function wrap(level: Level, depth: number): Level {
  return { ...level, body: sql`SELECT * FROM (${render(level)}) AS ${raw(`s${depth}`)}`, offset: 0, limit: undefined };
}

export const sequenceOf = (level: Level): Fragment => level.order ?? level.sequence;

export function ascending(columns: readonly OutputColumn[]): TiebreakTerm[] {
  return columns.map((c) => ({ name: c.name, term: raw(`${c.alias} ASC NULLS FIRST`) }));
}

/** A level of result rows: addressable by their names, ordered by `keys` unless sorted. */
export function resultLevel(
  body: Fragment,
  columns: readonly OutputColumn[],
  keyColumns: readonly OutputColumn[],
  tiebreak: readonly TiebreakTerm[],
  sequence: Fragment,
): Level {
  return { body, fields: columnCatalogue(columns), columns, keyColumns, tiebreak, sequence, offset: 0 };
}

/** Results of one stat call never exceed this many entries. */
export const STAT_RESULT_CAP = 10_000;

/** The output of a previous stage, addressable by its names (a later group, sort or project). */
export function columnCatalogue(columns: readonly OutputColumn[]): Catalogue {
  return {
    resource: 'aggregate result',
    source: '',
    select: '*',
    idKey: '',
    keywordKeys: [],
    defaultSort: [],
    pageLimit: { default: STAT_RESULT_CAP, max: STAT_RESULT_CAP },
    fields: Object.fromEntries(columns.map((c) => [c.name, { sql: c.alias, type: c.type }])),
  };
}
