import { err } from '../domain/errors.js';
import { resolveField, type Catalogue, type FieldType, type ResolvedField } from './catalogue.js';
import { groupField, type CompiledColumn } from './group-fields.js';
import type { OutputColumn } from './level.js';
import type { GroupField, GroupKey } from './stage-types.js';
import { join, raw, sql, type Fragment } from './sql.js';

/**
 * The `group` stage (spec §3.5) as one `SELECT … GROUP BY`. Output columns get generated
 * aliases (`k0`, `f0`, …); the client's names are only map keys, never SQL. Results come out
 * flat — `{status: "SUCCESS", count: 40}` — as the upstream flattens `_id`.
 */
export interface GroupSelect {
  readonly body: Fragment;
  readonly keys: readonly OutputColumn[];
  readonly columns: readonly OutputColumn[];
}

/**
 * `sequence` is the order of the incoming rows: what `first`, `last` and `push` follow (the
 * last sort stage, else the resource's default order with the id as tiebreaker).
 */
export function compileGroup(
  catalogue: Catalogue,
  from: Fragment,
  stage: { keys: readonly GroupKey[]; fields: readonly GroupField[] },
  sequence: Fragment,
): GroupSelect {
  const keys = stage.keys.map((key, i) => groupKey(catalogue, key, `k${i}`));
  const fields = stage.fields.map((field, i) => groupField(catalogue, field, `f${i}`, sequence));
  const select = join(
    [...keys, ...fields].map((c) => sql`${c.expr} AS ${raw(c.column.alias)}`),
    ', ',
  );
  // No keys: one row over everything, but none for no input (as MongoDB's $group).
  const grouping = keys.length > 0 ? raw(` GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`) : raw(' HAVING count(*) > 0');
  return {
    body: sql`SELECT ${select} FROM ${from}${grouping}`,
    keys: keys.map((k) => k.column),
    columns: [...keys, ...fields].map((c) => c.column),
  };
}

function groupKey(catalogue: Catalogue, key: GroupKey, alias: string): CompiledColumn {
  const field = resolveField(catalogue, key.key, `${key.where}.key`);
  if (key.dateFormat !== undefined) {
    const format = dateFormat(field, key.dateFormat, `${key.where}.date_format`);
    return { expr: format.expr, column: { name: key.name, alias, type: format.type } };
  }
  // A JSON null and a missing value are one group (null), as in MongoDB.
  if (field.type === 'json') return { expr: sql`NULLIF(${field.expr}, 'null'::jsonb)`, column: { name: key.name, alias, type: 'json' } };
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
