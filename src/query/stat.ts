import { err } from '../domain/errors.js';
import { resolveField, type Catalogue, type FieldType } from './catalogue.js';
import type { Condition } from './filter.js';
import { compileGroup, type OutputColumn } from './group.js';
import { compileFilters, compileOrder } from './list.js';
import type { Stage, StatQuery } from './parse-stat.js';
import { compile, join, raw, sql, type CompiledSql, type Fragment } from './sql.js';

/**
 * Stat (spec §3.5): `distinct`, or an `aggregate` pipeline of group / count / sort / limit /
 * skip stages, compiled to nested SELECTs. Each stage works on the rows of the one before;
 * sort keys after a group name the group's output names. `page` slices the final result, and
 * `total_count` is returned only when `page.limit` is set (as upstream).
 */
export interface StatPlan {
  readonly rows: CompiledSql;
  /** Present when the client paged. */
  readonly total?: CompiledSql;
  /** `distinct`: the value's type; `aggregate`: the output columns. */
  readonly shape: { kind: 'distinct'; type: FieldType } | { kind: 'rows'; columns: readonly OutputColumn[] };
}

/** Results of one stat call never exceed this many entries. */
const STAT_RESULT_CAP = 10_000;

export function compileStat(
  catalogue: Catalogue,
  query: StatQuery,
  context: { scope: Fragment; conditions: readonly Condition[] },
): StatPlan {
  const where = compileFilters(catalogue, { ...context, ...query });
  const filtered = sql`(SELECT * FROM ${raw(catalogue.source)} WHERE ${where}) AS s0`;
  if (query.distinct !== undefined) return compileDistinct(catalogue, query, filtered);
  const level = query.aggregate.reduce<Level>((current, stage, i) => applyStage(catalogue, current, stage, i + 1), {
    body: sql`SELECT * FROM ${filtered}`,
    offset: 0,
  });
  if (!level.columns) throw err.notSupportQueryOption('query.aggregate', 'the pipeline needs a group or count stage');
  return { ...paged(render(level), level.order, query), shape: { kind: 'rows', columns: level.columns } };
}

function compileDistinct(catalogue: Catalogue, query: StatQuery, filtered: Fragment): StatPlan {
  const field = resolveField(catalogue, query.distinct, 'query.distinct');
  // A JSON array contributes its elements, as MongoDB's distinct does.
  const elements = sql`LATERAL jsonb_path_query(${field.expr}, 'lax $[*]') AS item(value)`;
  const value = field.type === 'date' ? sql`to_char(${field.expr}, 'YYYY-MM-DD')` : field.expr;
  const body =
    field.type === 'json'
      ? sql`SELECT DISTINCT item.value AS value FROM ${filtered}, ${elements} WHERE item.value <> 'null'::jsonb`
      : sql`SELECT DISTINCT ${value} AS value FROM ${filtered} WHERE ${field.expr} IS NOT NULL`;
  const type = field.type === 'date' ? 'text' : field.type;
  return { ...paged(body, raw('value ASC'), query), shape: { kind: 'distinct', type } };
}

/** One SELECT level of the pipeline: a body plus its own order, offset and limit. */
interface Level {
  readonly body: Fragment;
  /** Absent while the rows are still the resource's documents (before any group or count). */
  readonly columns?: readonly OutputColumn[];
  /** Group keys: the tiebreaker that makes every order total. */
  readonly keys?: readonly OutputColumn[];
  readonly order?: Fragment;
  readonly offset: number;
  readonly limit?: number;
}

function render(level: Level): Fragment {
  const order = level.order ? sql` ORDER BY ${level.order}` : raw('');
  const limit = level.limit !== undefined ? sql` LIMIT ${level.limit}` : raw('');
  const offset = level.offset > 0 ? sql` OFFSET ${level.offset}` : raw('');
  return sql`${level.body}${order}${limit}${offset}`;
}

/** The level as a subquery, keeping its order for the levels above. */
function wrap(level: Level, depth: number): Level {
  return { ...level, body: sql`SELECT * FROM (${render(level)}) AS ${raw(`s${depth}`)}`, offset: 0, limit: undefined };
}

function applyStage(catalogue: Catalogue, level: Level, stage: Stage, depth: number): Level {
  switch (stage.kind) {
    case 'group': {
      const source = level.columns ? columnCatalogue(level.columns) : catalogue;
      const group = compileGroup(source, sql`(${render(level)}) AS ${raw(`s${depth}`)}`, stage);
      return { body: group.body, columns: group.columns, keys: group.keys, order: aliases(group.keys), offset: 0 };
    }
    case 'count':
      return {
        body: sql`SELECT count(*) AS c0 FROM (${render(level)}) AS ${raw(`s${depth}`)}`,
        columns: [{ name: stage.name, alias: 'c0', type: 'number' }],
        offset: 0,
      };
    case 'sort': {
      const base = level.limit !== undefined || level.offset > 0 ? wrap(level, depth) : level;
      return { ...base, order: level.columns ? columnOrder(level, stage) : compileOrder(catalogue, stage.keys, stage.where) };
    }
    case 'skip': {
      const base = level.limit !== undefined ? wrap(level, depth) : level;
      return { ...base, offset: base.offset + stage.value };
    }
    case 'limit':
      return { ...level, limit: Math.min(level.limit ?? stage.value, stage.value) };
  }
}

function columnOrder(level: Level, stage: Extract<Stage, { kind: 'sort' }>): Fragment {
  const columns = level.columns ?? [];
  const terms = stage.keys.map((s, i) => {
    const column = columns.find((c) => c.name === s.key);
    if (!column) {
      const names = columns.map((c) => c.name).join(', ');
      throw err.invalid(`${stage.where}[${i}].key`, `"${s.key}" is not a result name; use one of ${names}`);
    }
    return raw(`${column.alias} ${s.desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST'}`);
  });
  const tiebreak = level.keys?.filter((k) => !stage.keys.some((s) => s.key === k.name)) ?? [];
  const tail = aliases(tiebreak);
  return join(tail ? [...terms, tail] : terms, ', ');
}

function aliases(columns: readonly OutputColumn[]): Fragment | undefined {
  return columns.length > 0 ? raw(columns.map((c) => `${c.alias} ASC NULLS FIRST`).join(', ')) : undefined;
}

/** The output of a previous stage, addressable by its names (a later group or sort). */
function columnCatalogue(columns: readonly OutputColumn[]): Catalogue {
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

function paged(body: Fragment, order: Fragment | undefined, query: StatQuery): Pick<StatPlan, 'rows' | 'total'> {
  const sorted = order ? sql` ORDER BY ${order}` : raw('');
  const limit = Math.min(query.page.limit || STAT_RESULT_CAP, STAT_RESULT_CAP);
  const rows = compile(sql`SELECT * FROM (${body}) AS result${sorted} LIMIT ${limit} OFFSET ${query.page.start - 1}`);
  if (query.page.limit === 0) return { rows };
  return { rows, total: compile(sql`SELECT count(*) AS total FROM (${body}) AS result`) };
}
