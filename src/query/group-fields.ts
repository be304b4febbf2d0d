import { err } from '../domain/errors.js';
import { resolveField, type Catalogue, type FieldType, type ResolvedField } from './catalogue.js';
import { compileCondition, type Condition } from './filter.js';
import type { OutputColumn } from './level.js';
import type { GroupField } from './stage-types.js';
import { and, join, raw, sql, type Fragment } from './sql.js';

/**
 * The field operators of a group stage (spec §3.5):
 * - count, sum, average (with optional `conditions`), min, max: numbers (min/max also order
 *   text and datetimes); sum of nothing is 0, as in MongoDB;
 * - first, last: the value of the first/last row in the incoming order;
 * - push: the values (or `{name: value}` sub-objects of `fields`) in the incoming order;
 *   datetimes become `YYYY-MM-DDTHH:MM:SSZ` strings; missing values are skipped in the key form;
 * - add_to_set: the distinct values, sorted (MongoDB leaves the order undefined);
 * - merge_objects: the objects merged in the incoming order, later keys winning.
 */
export interface CompiledColumn {
  readonly expr: Fragment;
  readonly column: OutputColumn;
}

/** Condition operators allowed inside a group field's `conditions`. */
const CONDITION_OPERATORS = ['eq', 'not', 'gt', 'gte', 'lt', 'lte'];

export function groupField(catalogue: Catalogue, field: GroupField, alias: string, sequence: Fragment): CompiledColumn {
  const column = (type: FieldType): OutputColumn => ({ name: field.name, alias, type });
  const matches = field.conditions.length > 0 ? conditionOf(catalogue, field.conditions) : undefined;
  const filtered = (aggregate: Fragment) => (matches ? sql`${aggregate} FILTER (WHERE ${matches})` : aggregate);
  if (field.operator === 'count') return { expr: filtered(raw('count(*)')), column: column('number') };
  if (field.operator === 'push' && field.fields.length > 0) {
    const pairs = field.fields.map((f, i) => {
      const source = resolveField(catalogue, f.key, `${field.where}.fields[${i}].key`);
      return sql`${f.name}::text, ${asJson(source)}`;
    });
    return { expr: sql`jsonb_agg(jsonb_build_object(${join(pairs, ', ')}) ORDER BY ${sequence})`, column: column('json') };
  }

  const source = resolveField(catalogue, field.key, `${field.where}.key`);
  switch (field.operator) {
    case 'min':
    case 'max': {
      if (source.type === 'bool') throw err.invalid(`${field.where}.key`, `"${field.operator}" cannot order booleans`);
      const expr = source.type === 'json' ? numeric(source, field) : source.type === 'date' ? dateText(source) : source.expr;
      const type = source.type === 'json' ? 'number' : source.type === 'date' ? 'text' : source.type;
      return { expr: sql`${raw(field.operator)}(${expr})`, column: column(type) };
    }
    case 'sum':
      // Added as numeric: exact, so the same whatever the order (and the rollup's sums agree).
      return {
        expr: sql`COALESCE(${filtered(sql`sum(${numeric(source, field, 'numeric')})`)}, 0)::double precision`,
        column: column('number'),
      };
    case 'average': {
      // A conditional average counts non-matching rows as 0, as the upstream does. Exact, like sum:
      // the same whatever order the rows come in.
      const value = numeric(source, field, 'numeric');
      const averaged = sql`avg(${matches ? sql`CASE WHEN ${matches} THEN ${value} ELSE 0 END` : value})`;
      return { expr: sql`${averaged}::double precision`, column: column('number') };
    }
    case 'first':
    case 'last': {
      const position = field.operator === 'first' ? raw('1') : raw('count(*)::int');
      const expr = source.type === 'date' ? dateText(source) : source.expr;
      const type = source.type === 'date' ? 'text' : source.type;
      return { expr: sql`(array_agg(${expr} ORDER BY ${sequence}))[${position}]`, column: column(type) };
    }
    case 'push':
      return {
        expr: sql`COALESCE(jsonb_agg(${asJson(source)} ORDER BY ${sequence}) FILTER (WHERE ${source.expr} IS NOT NULL), '[]'::jsonb)`,
        column: column('json'),
      };
    case 'add_to_set': {
      // Distinct values of the pushed list (a bound path would not count as the same expression twice).
      const values = sql`jsonb_agg(${asJson(source)}) FILTER (WHERE ${source.expr} IS NOT NULL)`;
      const distinct = sql`SELECT DISTINCT item.v FROM jsonb_array_elements(${values}) AS item(v)`;
      return {
        expr: sql`(SELECT COALESCE(jsonb_agg(member.v ORDER BY member.v), '[]'::jsonb) FROM (${distinct}) AS member)`,
        column: column('json'),
      };
    }
    case 'merge_objects': {
      if (source.type !== 'json')
        throw err.invalid(`${field.where}.key`, `"merge_objects" needs a JSON object field; ${source.key} is ${source.type}`);
      const objects = sql`jsonb_array_elements(jsonb_agg(${source.expr} ORDER BY ${sequence})) WITH ORDINALITY AS merged(v, n)`;
      const pairs = sql`jsonb_each(CASE WHEN jsonb_typeof(merged.v) = 'object' THEN merged.v ELSE '{}'::jsonb END) AS pair`;
      return {
        expr: sql`(SELECT COALESCE(jsonb_object_agg(pair.key, pair.value ORDER BY merged.n), '{}'::jsonb) FROM ${objects}, ${pairs})`,
        column: column('json'),
      };
    }
  }
}

const dateText = (source: ResolvedField) => sql`to_char(${source.expr}, 'YYYY-MM-DD')`;

/** A value as JSON for push/add_to_set: datetimes as `YYYY-MM-DDTHH:MM:SSZ`, dates as `YYYY-MM-DD`. */
function asJson(source: ResolvedField): Fragment {
  switch (source.type) {
    case 'json':
      return source.expr;
    case 'timestamp':
      return sql`to_jsonb(to_char(${source.expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))`;
    case 'date':
      return sql`to_jsonb(${dateText(source)})`;
    default:
      return sql`to_jsonb(${source.expr})`;
  }
}

/**
 * Numbers for sum/average (as numeric) and min/max: number columns as they are; JSON values only when they are
 * numbers. A double becomes numeric through its text, the shortest decimal that reads back as the
 * same double (exact, and faster than PostgreSQL's own cast, which keeps 15 digits).
 */
function numeric(source: ResolvedField, field: GroupField, as: 'double precision' | 'numeric' = 'double precision'): Fragment {
  if (source.type === 'number') {
    if (as === 'double precision') return sql`(${source.expr})::double precision`;
    return source.decimal ? source.expr : sql`(${source.expr})::text::numeric`;
  }
  if (source.type === 'json') {
    return sql`(CASE WHEN jsonb_typeof(${source.expr}) = 'number' THEN (${source.expr} #>> '{}')::${raw(as)} END)`;
  }
  throw err.invalid(`${field.where}.key`, `"${field.operator}" needs a number field; ${source.key} is ${source.type}`);
}

function conditionOf(catalogue: Catalogue, conditions: readonly Condition[]): Fragment {
  return and(
    conditions.map((condition) => {
      if (!CONDITION_OPERATORS.includes(String(condition.operator))) {
        throw err.dbQuery(`${condition.where}.operator must be one of ${CONDITION_OPERATORS.join(', ')}`);
      }
      return compileCondition(catalogue, condition);
    }),
  );
}
