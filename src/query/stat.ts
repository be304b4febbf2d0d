import { err } from '../domain/errors.js';
import { orderTerm, resolveField, uniqueKeysOf, type Catalogue, type FieldType } from './catalogue.js';
import { regexPatterns, type Condition } from './filter.js';
import { compileGroup } from './group.js';
import { ascending, render, resultLevel, source, STAT_RESULT_CAP, wrap, type Level, type OutputColumn } from './level.js';
import { compileFilters, compileOrder } from './list.js';
import type { Stage, StatQuery } from './parse-stat.js';
import { compile, join, raw, sql, type CompiledSql, type Fragment } from './sql.js';
import { compileCount, compileProject, compileUnwind } from './stages.js';

/**
 * Stat (spec §3.5): `distinct`, or an `aggregate` pipeline compiled to nested SELECTs, one
 * level per stage (level.ts), each working on the rows of the one before. Keys after a group,
 * count or project name its results. `page` slices the final result, and `total_count` is
 * returned only when `page.limit` is set (as upstream).
 */
export interface StatPlan {
  readonly rows: CompiledSql;
  /** Present when the client paged. */
  readonly total?: CompiledSql;
  /** `distinct`: the value's type; `aggregate`: the output columns. */
  readonly shape: { kind: 'distinct'; type: FieldType } | { kind: 'rows'; columns: readonly OutputColumn[] };
  /** Regular expressions the database must accept before the query runs. */
  readonly patterns: readonly string[];
}

export interface StatContext {
  readonly scope: Fragment;
  readonly conditions: readonly Condition[];
}

export function compileStat(catalogue: Catalogue, query: StatQuery, context: StatContext): StatPlan {
  const where = compileFilters(catalogue, { ...context, ...query });
  const patterns = regexPatterns([...context.conditions, ...query.filter, ...query.filterOr]);
  const filtered = sql`(SELECT * FROM ${raw(catalogue.source)} WHERE ${where}) AS s0`;
  if (query.distinct !== undefined) return { ...compileDistinct(catalogue, query, filtered), patterns };
  const level = query.aggregate.reduce<Level>((current, stage, i) => applyStage(current, stage, i + 1), documents(catalogue, filtered));
  if (!level.columns) {
    throw err.notSupportQueryOption('query.aggregate', 'the pipeline must produce results: add a group, count or project stage');
  }
  return { ...paged(level, query), shape: { kind: 'rows', columns: level.columns }, patterns };
}

/** The filtered documents: in the resource's default order (for first/last/push) with the id as tiebreaker. */
function documents(catalogue: Catalogue, filtered: Fragment): Level {
  return {
    body: sql`SELECT * FROM ${filtered}`,
    fields: catalogue,
    keyColumns: [],
    tiebreak: uniqueKeysOf(catalogue).map((id) => ({ name: id, term: raw(`${catalogue.fields[id].sql} ASC`) })),
    sequence: compileOrder(catalogue, []),
    offset: 0,
  };
}

function compileDistinct(catalogue: Catalogue, query: StatQuery, filtered: Fragment): Omit<StatPlan, 'patterns'> {
  const field = resolveField(catalogue, query.distinct, 'query.distinct');
  // A JSON array contributes its elements, as MongoDB's distinct does.
  const elements = sql`LATERAL jsonb_path_query(${field.expr}, 'lax $[*]') AS item(value)`;
  const value = field.type === 'date' ? sql`to_char(${field.expr}, 'YYYY-MM-DD')` : field.expr;
  const body =
    field.type === 'json'
      ? sql`SELECT DISTINCT item.value AS value FROM ${filtered}, ${elements} WHERE item.value <> 'null'::jsonb`
      : sql`SELECT DISTINCT ${value} AS value FROM ${filtered} WHERE ${field.expr} IS NOT NULL`;
  const type = field.type === 'date' ? 'text' : field.type;
  const level = resultLevel(body, [], [], [], raw('value ASC'));
  return { ...paged(level, query), shape: { kind: 'distinct', type } };
}

function applyStage(level: Level, stage: Stage, depth: number): Level {
  switch (stage.kind) {
    case 'group': {
      const group = compileGroup(level.fields, source(level, depth), stage, level.order ?? level.sequence);
      const keys = ascending(group.keys);
      const sequence = join(keys.length > 0 ? keys.map((k) => k.term) : [raw(`${group.columns[0].alias} ASC`)], ', ');
      return resultLevel(group.body, group.columns, group.keys, keys, sequence);
    }
    case 'count':
      return compileCount(level, stage, depth);
    case 'unwind':
      return compileUnwind(level, stage, depth);
    case 'project':
      return compileProject(level, stage, depth);
    case 'sort': {
      const base = level.limit !== undefined || level.offset > 0 ? wrap(level, depth) : level;
      const terms = stage.keys.map((s, i) => {
        return orderTerm(resolveField(level.fields, s.key, `${stage.where}[${i}].key`), s.desc);
      });
      const tail = level.tiebreak.filter((t) => !stage.keys.some((s) => s.key === t.name)).map((t) => t.term);
      return { ...base, order: join([...terms, ...tail], ', ') };
    }
    case 'skip': {
      const base = level.limit !== undefined ? wrap(level, depth) : level;
      return { ...base, offset: base.offset + stage.value };
    }
    case 'limit':
      return { ...level, limit: Math.min(level.limit ?? stage.value, stage.value) };
  }
}

/**
 * The final result in its order (the last sort, else the group keys, else the documents'
 * default order), then `page`; the count for `total_count` only when paged.
 */
function paged(level: Level, query: StatQuery): Pick<StatPlan, 'rows' | 'total'> {
  const inner = render(level.limit === undefined && level.offset === 0 ? { ...level, order: undefined } : level);
  const limit = Math.min(query.page.limit || STAT_RESULT_CAP, STAT_RESULT_CAP);
  const order = level.order ?? level.sequence;
  const rows = compile(sql`SELECT * FROM (${inner}) AS result ORDER BY ${order} LIMIT ${limit} OFFSET ${query.page.start - 1}`);
  if (query.page.limit === 0) return { rows };
  return { rows, total: compile(sql`SELECT count(*) AS total FROM (${inner}) AS result`) };
}
