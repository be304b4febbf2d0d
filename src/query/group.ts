import { err } from '../domain/errors.js';
import { resolveField, type Catalogue, type FieldType, type ResolvedField } from './catalogue.js';
import { compileCondition, type Condition } from './filter.js';
import type { GroupField, GroupKey } from './parse-stat.js';
import { and, join, raw, sql, type Fragment } from './sql.js';

/**
 * The `group` stage (spec §3.5) as one `SELECT … GROUP BY`. Output columns get generated
 * aliases (`k0`, `f0`, …); the client's names are only map keys, never SQL. Results come out
 * flat — `{status: "SUCCESS", count: 40}` — as the upstream flattens `_id`.
 */
export interface OutputColumn {
  readonly name: string;
  readonly alias: string;
  /** How the value is rendered: timestamps as `…mmmZ`, numbers as numbers, json as is. */
  readonly type: FieldType;
}

export interface GroupSelect {
  readonly body: Fragment;
  readonly keys: readonly OutputColumn[];
  readonly columns: readonly OutputColumn[];
}

/** Condition operators allowed inside a group field's `conditions`. */
const CONDITION_OPERATORS = ['eq', 'not', 'gt', 'gte', 'lt', 'lte'];

export function compileGroup(
  catalogue: Catalogue,
  from: Fragment,
  stage: { keys: readonly GroupKey[]; fields: readonly GroupField[] },
): GroupSelect {
  const keys = stage.keys.map((key, i) => groupKey(catalogue, key, `k${i}`));
  const fields = stage.fields.map((field, i) => groupField(catalogue, field, `f${i}`));
  const select = join(
    [...keys, ...fields].map((c) => sql`${c.expr} AS ${raw(c.column.alias)}`),
    ', ',
  );
  // No keys: one row over everything, but none for no input (as MongoDB's $group).
  const grouping =
    keys.length > 0 ? raw(` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`) : raw(' HAVING count(*) > 0');
  return {
    body: sql`SELECT ${select} FROM ${from}${grouping}`,
    keys: keys.map((k) => k.column),
    columns: [...keys, ...fields].map((c) => c.column),
  };
}

interface Compiled {
  readonly expr: Fragment;
  readonly column: OutputColumn;
}

function groupKey(catalogue: Catalogue, key: GroupKey, alias: string): Compiled {
  const field = resolveField(catalogue, key.key, `${key.where}.key`);
  if (key.dateFormat !== undefined) {
    const format = dateFormat(field, key.dateFormat, `${key.where}.date_format`);
    return { expr: format.expr, column: { name: key.name, alias, type: format.type } };
  }
  const expr = field.type === 'date' ? sql`to_char(${field.expr}, 'YYYY-MM-DD')` : field.expr;
  return { expr, column: { name: key.name, alias, type: field.type === 'date' ? 'text' : field.type } };
}

const DATE_PARTS: Record<string, string> = { year: 'YEAR', month: 'MONTH', day: 'DAY' };
/** strftime directives → to_char patterns. */
const DIRECTIVES: Record<string, string> = { Y: 'YYYY', m: 'MM', d: 'DD', H: 'HH24', M: 'MI', S: 'SS', j: 'DDD' };

/** `year`/`month`/`day` give numbers; `%Y-%m-%d`-style formats give text. */
function dateFormat(field: ResolvedField, format: string, where: string): { expr: Fragment; type: FieldType } {
  if (field.type !== 'timestamp' && field.type !== 'date') {
    throw err.invalid(where, `date_format needs a timestamp or date field; ${field.key} is ${field.type}`);
  }
  const utc = field.type === 'timestamp' ? sql`(${field.expr} AT TIME ZONE 'UTC')` : field.expr;
  const part = Object.hasOwn(DATE_PARTS, format) ? DATE_PARTS[format] : undefined;
  if (part) return { expr: sql`EXTRACT(${raw(part)} FROM ${utc})::int`, type: 'number' };
  return { expr: sql`to_char(${utc}, ${toCharPattern(format, where)})`, type: 'text' };
}

function toCharPattern(format: string, where: string): string {
  const bad = () =>
    err.invalid(where, `use year, month, day or a format built from %Y %m %d %H %M %S %j and the characters - / : . _ T or space`);
  let pattern = '';
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c === '%') {
      const letter = format[++i];
      const directive = letter !== undefined && Object.hasOwn(DIRECTIVES, letter) ? DIRECTIVES[letter] : undefined;
      if (!directive) throw bad();
      pattern += directive;
    } else if (/[-/:._ T]/.test(c)) {
      pattern += `"${c}"`;
    } else {
      throw bad();
    }
  }
  return pattern;
}

function groupField(catalogue: Catalogue, field: GroupField, alias: string): Compiled {
  const matches = field.conditions.length > 0 ? conditionOf(catalogue, field.conditions) : undefined;
  const filtered = (aggregate: Fragment) => (matches ? sql`${aggregate} FILTER (WHERE ${matches})` : aggregate);
  const column = (type: FieldType): OutputColumn => ({ name: field.name, alias, type });
  if (field.operator === 'count') return { expr: filtered(raw('count(*)')), column: column('number') };

  const source = resolveField(catalogue, field.key, `${field.where}.key`);
  if (field.operator === 'min' || field.operator === 'max') {
    if (source.type === 'bool') throw err.invalid(`${field.where}.key`, `"${field.operator}" cannot order booleans`);
    const expr =
      source.type === 'json'
        ? numeric(source, field)
        : source.type === 'date'
          ? sql`to_char(${source.expr}, 'YYYY-MM-DD')`
          : source.expr;
    const type = source.type === 'json' ? 'number' : source.type === 'date' ? 'text' : source.type;
    return { expr: sql`${raw(field.operator)}(${expr})`, column: column(type) };
  }
  const value = numeric(source, field);
  if (field.operator === 'sum') return { expr: sql`COALESCE(${filtered(sql`sum(${value})`)}, 0)`, column: column('number') };
  // A conditional average counts non-matching rows as 0, as the upstream does.
  const averaged = matches ? sql`CASE WHEN ${matches} THEN ${value} ELSE 0 END` : value;
  return { expr: sql`avg(${averaged})`, column: column('number') };
}

/** Numbers for sum/average: number columns as they are; JSON values only when they are numbers. */
function numeric(source: ResolvedField, field: GroupField): Fragment {
  if (source.type === 'number') return sql`(${source.expr})::double precision`;
  if (source.type === 'json') {
    return sql`(CASE WHEN jsonb_typeof(${source.expr}) = 'number' THEN (${source.expr} #>> '{}')::double precision END)`;
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
