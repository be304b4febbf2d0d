import { err } from '../domain/errors.js';
import { resolveField, type Catalogue, type FieldType, type ResolvedField } from './catalogue.js';
import { compileCondition } from './filter.js';
import { resultLevel, sequenceOf, source, type Level, type OutputColumn } from './level.js';
import type { Stage } from './stage-types.js';
import { and, join, raw, sql, type Fragment } from './sql.js';

/** The unwind, project and count stages (spec §3.5); group lives in group.ts. */

type StageOf<K extends Stage['kind']> = Extract<Stage, { kind: K }>;

/** Operators allowed in an unwind stage's `filter` (as upstream). */
const UNWIND_FILTER_OPERATORS = ['eq', 'not', 'in', 'not_in', 'contain', 'not_contain', 'contain_in', 'not_contain_in'];

/**
 * `unwind`: one row per element of a JSON list (a value that is not a list counts as a list of
 * itself; a missing value, null or [] drops the row, as MongoDB's default). The path then
 * addresses the element, so `changed.start` after unwinding `changed` is the element's start.
 */
export function compileUnwind(level: Level, stage: StageOf<'unwind'>, depth: number): Level {
  const path = resolveField(level.fields, stage.path, `${stage.where}.path`);
  if (path.type !== 'json') {
    throw err.invalid(`${stage.where}.path`, `unwind needs a JSON list field (such as changed); ${stage.path} is a ${path.type} field`);
  }
  if (level.columns && !level.columns.some((c) => c.name === stage.path)) {
    throw err.invalid(
      `${stage.where}.path`,
      `after a group or project, unwind a result name: ${level.columns.map((c) => c.name).join(', ')}`,
    );
  }
  const alias = `u${depth}`;
  const list = sql`CASE WHEN jsonb_typeof(${path.expr}) = 'array' THEN ${path.expr} WHEN ${path.expr} IS NULL OR ${path.expr} = 'null'::jsonb THEN '[]'::jsonb ELSE jsonb_build_array(${path.expr}) END`;
  const from = source(level, depth);
  const s = raw(`s${depth}`);
  const w = raw(`w${depth}`);
  let body = sql`SELECT ${s}.*, ${w}.value AS ${raw(alias)}, ${w}.n AS ${raw(`${alias}_n`)} FROM ${from} CROSS JOIN LATERAL jsonb_array_elements(${list}) WITH ORDINALITY AS ${w}(value, n)`;
  const fields: Catalogue = { ...level.fields, fields: { ...level.fields.fields, [stage.path]: { sql: alias, type: 'json' } } };
  if (stage.filter.length > 0) {
    const conditions = stage.filter.map((condition) => {
      if (!UNWIND_FILTER_OPERATORS.includes(String(condition.operator))) {
        throw err.dbQuery(`${condition.where}.o must be one of ${UNWIND_FILTER_OPERATORS.join(', ')}`);
      }
      return compileCondition(fields, condition);
    });
    body = sql`SELECT * FROM (${body}) AS ${raw(`x${depth}`)} WHERE ${and(conditions)}`;
  }
  const position = raw(`${alias}_n ASC`);
  return {
    body,
    fields,
    columns: level.columns?.map((c) => (c.name === stage.path ? { name: c.name, alias, type: 'json' as const } : c)),
    keyColumns: level.keyColumns,
    tiebreak: [...level.tiebreak, { term: position }],
    sequence: sql`${sequenceOf(level)}, ${position}`,
    offset: 0,
  };
}

/**
 * `project`: the listed fields under their names (a copy, or `size`, `sum`,
 * `array_to_object`, `object_to_array` of the key). After a group the group keys stay in the
 * result unless `exclude_keys` (upstream keeps `_id`).
 */
export function compileProject(level: Level, stage: StageOf<'project'>, depth: number): Level {
  const projected = stage.fields.map((field, i): { expr: Fragment; column: OutputColumn } => {
    const resolved = resolveField(level.fields, field.key, `${field.where}.key`);
    const { expr, type } = projectValue(resolved, field.operator, `${field.where}.key`);
    return { expr, column: { name: field.name, alias: `p${depth}_${i}`, type } };
  });
  const names = new Set(projected.map((p) => p.column.name));
  const kept = stage.excludeKeys ? [] : level.keyColumns.filter((c) => !names.has(c.name));
  const select = join(
    projected.map((p) => sql`${p.expr} AS ${raw(p.column.alias)}`),
    ', ',
  );
  const s = raw(`s${depth}`);
  const body = sql`SELECT ${s}.*, ${select} FROM ${source(level, depth)}`;
  const columns = [...kept, ...projected.map((p) => p.column)];
  return resultLevel(body, columns, kept, level.tiebreak, sequenceOf(level));
}

function projectValue(field: ResolvedField, operator: string | undefined, where: string): { expr: Fragment; type: FieldType } {
  if (operator === undefined) {
    if (field.type === 'date') return { expr: sql`to_char(${field.expr}, 'YYYY-MM-DD')`, type: 'text' };
    return { expr: field.expr, type: field.type };
  }
  if (operator === 'sum' && field.type === 'number') return { expr: sql`COALESCE((${field.expr})::double precision, 0)`, type: 'number' };
  if (field.type !== 'json') throw err.invalid(where, `"${operator}" needs a JSON field; ${field.key} is a ${field.type} field`);
  const x = field.expr;
  const isArray = sql`jsonb_typeof(${x}) = 'array'`;
  switch (operator) {
    case 'size':
      return { expr: sql`CASE WHEN ${isArray} THEN jsonb_array_length(${x}) END`, type: 'number' };
    case 'sum': {
      const total = sql`(SELECT COALESCE(sum((item.v #>> '{}')::double precision), 0) FROM jsonb_array_elements(${x}) AS item(v) WHERE jsonb_typeof(item.v) = 'number')`;
      return {
        expr: sql`CASE jsonb_typeof(${x}) WHEN 'number' THEN (${x} #>> '{}')::double precision WHEN 'array' THEN ${total} ELSE 0 END`,
        type: 'number',
      };
    }
    case 'array_to_object': {
      // Elements {k, v} or [k, v] with a string k; anything else is skipped; a repeated k keeps the last v.
      const k = sql`CASE jsonb_typeof(item.v) WHEN 'object' THEN item.v -> 'k' WHEN 'array' THEN item.v -> 0 END`;
      const v = sql`CASE jsonb_typeof(item.v) WHEN 'object' THEN item.v -> 'v' WHEN 'array' THEN item.v -> 1 END`;
      const pairs = sql`SELECT item.n, ${k} AS k, ${v} AS v FROM jsonb_array_elements(${x}) WITH ORDINALITY AS item(v, n)`;
      const agg = sql`(SELECT COALESCE(jsonb_object_agg(pair.k #>> '{}', pair.v ORDER BY pair.n), '{}'::jsonb) FROM (${pairs}) AS pair WHERE jsonb_typeof(pair.k) = 'string' AND pair.v IS NOT NULL)`;
      return { expr: sql`CASE WHEN ${isArray} THEN ${agg} END`, type: 'json' };
    }
    case 'object_to_array': {
      // Keys in byte order (JSONB does not keep the order they were written in).
      const agg = sql`(SELECT COALESCE(jsonb_agg(jsonb_build_object('k', entry.key, 'v', entry.value) ORDER BY entry.key COLLATE "C"), '[]'::jsonb) FROM jsonb_each(${x}) AS entry)`;
      return { expr: sql`CASE WHEN jsonb_typeof(${x}) = 'object' THEN ${agg} END`, type: 'json' };
    }
    default:
      throw err.dbQuery(`project operator "${operator}" is not supported`);
  }
}

/** `count`: one row `{name: n}`, also `{name: 0}` for no input (MongoDB returns no row). */
export function compileCount(level: Level, stage: StageOf<'count'>, depth: number): Level {
  const column: OutputColumn = { name: stage.name, alias: `c${depth}`, type: 'number' };
  const body = sql`SELECT count(*) AS ${raw(column.alias)} FROM ${source(level, depth)}`;
  return resultLevel(body, [column], [], [], raw(`${column.alias} ASC`));
}
