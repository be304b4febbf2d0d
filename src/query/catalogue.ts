import { err } from '../domain/errors.js';
import { raw, sql, type Fragment } from './sql.js';

/**
 * A field catalogue says which query keys a resource has, the SQL expression behind each
 * and its type. It is the only source of identifiers in compiled SQL: a key that is not in
 * the catalogue is rejected, so no client string ever becomes SQL text.
 *
 * Types decide how values are checked and compared:
 * - text, number, bool: plain columns, values must have the matching JSON type;
 * - timestamp: `timestamptz` columns, values are ISO-8601 strings;
 * - date: a `date` column compared as its `YYYY-MM-DD` text (as the upstream stores it);
 * - json: JSONB; a dotted key below a json field (`tags.env`, `options.start`,
 *   `additional_info.Account ID`) addresses a path inside it, bound as a parameter.
 */
export type FieldType = 'text' | 'number' | 'bool' | 'timestamp' | 'date' | 'json';

export interface FieldDef {
  /** Trusted SQL text (column or expression over the catalogue's source). */
  readonly sql: string;
  readonly type: FieldType;
  /** The column is NOT NULL: a sort on it needs no NULLS clause, so it can use an index. */
  readonly notNull?: boolean;
  /** A `numeric` column (a number type): summed as it is, already exact. */
  readonly decimal?: boolean;
}

export interface SortKey {
  readonly key: string;
  readonly desc: boolean;
}

export interface Catalogue {
  /** Resource name for messages (`Job`, `JobTask`, …). */
  readonly resource: string;
  /** Table or view the rows come from. */
  readonly source: string;
  /** Select list for list/get (trusted). */
  readonly select: string;
  /** The unique key: stable tiebreaker of every sort. */
  readonly idKey: string;
  /**
   * A composite unique key (a table whose primary key has several columns): all its keys in
   * order, `idKey` among them. Every sort then ends with those of them it does not name.
   */
  readonly uniqueKeys?: readonly string[];
  /** Keys that `query.keyword` searches. */
  readonly keywordKeys: readonly string[];
  readonly defaultSort: readonly SortKey[];
  readonly pageLimit: { readonly default: number; readonly max: number };
  readonly fields: Readonly<Record<string, FieldDef>>;
}

export interface ResolvedField {
  readonly key: string;
  readonly type: FieldType;
  readonly expr: Fragment;
  readonly notNull?: boolean;
  readonly decimal?: boolean;
}

/** The keys that identify one row: `uniqueKeys` when the key is composite, else the id. */
export function uniqueKeysOf(catalogue: Catalogue): readonly string[] {
  return catalogue.uniqueKeys ?? [catalogue.idKey];
}

/**
 * One ORDER BY term. Missing values sort first ascending and last descending, as in MongoDB
 * (PostgreSQL's default is the opposite); NOT NULL columns get the plain direction, which an
 * index in either direction serves.
 */
export function orderTerm(field: ResolvedField, desc: boolean): Fragment {
  if (field.notNull) return sql`${field.expr} ${raw(desc ? 'DESC' : 'ASC')}`;
  return sql`${field.expr} ${raw(desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST')}`;
}

/**
 * Finds a key: an exact catalogue entry, or a dotted path below a json field (the longest
 * json prefix wins). `where` names the request position for the error message.
 */
export function resolveField(catalogue: Catalogue, key: unknown, where: string): ResolvedField {
  if (typeof key !== 'string' || key === '') throw err.required(where);
  const exact = fieldOf(catalogue, key);
  if (exact) return { key, type: exact.type, expr: raw(exact.sql), notNull: exact.notNull, decimal: exact.decimal };
  const segments = key.split('.');
  for (let cut = segments.length - 1; cut >= 1; cut--) {
    const root = fieldOf(catalogue, segments.slice(0, cut).join('.'));
    if (root?.type !== 'json') continue;
    const path = segments.slice(cut);
    if (path.some((segment) => segment === '')) break;
    return { key, type: 'json', expr: sql`(${raw(root.sql)} #> ${path}::text[])` };
  }
  throw err.invalid(where, `unknown key "${key}" for ${catalogue.resource}; known keys: ${knownKeys(catalogue)}`);
}

/** Own entries only: `constructor` or `__proto__` are not fields. */
function fieldOf(catalogue: Catalogue, key: string): FieldDef | undefined {
  return Object.hasOwn(catalogue.fields, key) ? catalogue.fields[key] : undefined;
}

function knownKeys(catalogue: Catalogue): string {
  return Object.entries(catalogue.fields)
    .map(([key, def]) => (def.type === 'json' ? `${key}[.path]` : key))
    .join(', ');
}
