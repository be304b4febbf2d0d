import type { Catalogue, FieldType, SortKey } from '../../src/query/catalogue.js';
import type { ListQuery } from '../../src/query/parse-query.js';
import type { GroupField, Stage, StatQuery } from '../../src/query/parse-stat.js';
import { compareJson, compareText, jsonEqual } from './jsonb.js';
import { holds, matches, resolve, type Row, type Schema, type Typed } from './evaluate-filter.js';

/**
 * In-memory list and stat over plain documents, from the documented semantics (docs/api.md):
 * the oracle of the property tests. Results are in wire form (as the API returns them).
 */
const ID = Symbol('id');
const POSITIONS = Symbol('positions');
type Doc = Row & { [ID]?: string; [POSITIONS]?: number[] };

export function schemaOf(catalogue: Catalogue): Schema {
  return Object.fromEntries(Object.entries(catalogue.fields).map(([k, f]) => [k, f.type]));
}

/** Order of two typed values: nulls (and missing) first, then by type. */
function compareTyped(a: Typed, b: Typed): number {
  const an = a.value === undefined || a.value === null;
  const bn = b.value === undefined || b.value === null;
  if (an || bn) {
    if (a.type === 'json' && b.type === 'json' && a.value === null && b.value === null) return 0;
    if (a.type === 'json' && !(a.value === undefined) && b.value === undefined) return 1;
    if (b.type === 'json' && !(b.value === undefined) && a.value === undefined) return -1;
    return Number(!an) - Number(!bn);
  }
  switch (a.type) {
    case 'json':
      return compareJson(a.value, b.value);
    case 'timestamp':
      return (a.value as Date).getTime() - (b.value as Date).getTime();
    case 'number':
      return Math.sign((a.value as number) - (b.value as number));
    case 'bool':
      return Number(a.value) - Number(b.value);
    default:
      return compareText(a.value as string, b.value as string);
  }
}

function sortBy(schema: Schema, rows: Doc[], keys: readonly SortKey[], tiebreak: (a: Doc, b: Doc) => number): Doc[] {
  return [...rows].sort((a, b) => {
    for (const { key, desc } of keys) {
      const c = compareTyped(resolve(schema, a, key), resolve(schema, b, key));
      if (c !== 0) return desc ? -c : c;
    }
    return tiebreak(a, b);
  });
}

const byId = (a: Doc, b: Doc) => {
  const c = compareText(a[ID]!, b[ID]!);
  if (c !== 0) return c;
  const pa = a[POSITIONS] ?? [];
  const pb = b[POSITIONS] ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

function filtered(catalogue: Catalogue, docs: readonly Row[], query: Pick<ListQuery, 'filter' | 'filterOr' | 'keyword'>): Doc[] {
  const schema = schemaOf(catalogue);
  return docs
    .filter((doc) => matches(schema, doc, query, catalogue.keywordKeys))
    .map((doc) => ({ ...doc, [ID]: doc[catalogue.idKey] as string }));
}

/** List: the ids of the page, and the count before paging. */
export function evaluateList(catalogue: Catalogue, docs: readonly Row[], query: ListQuery): { ids: string[]; total: number } {
  const rows = filtered(catalogue, docs, query);
  const sorted = sortBy(schemaOf(catalogue), rows, query.sort.length > 0 ? query.sort : catalogue.defaultSort, byId);
  const start = query.page.start - 1;
  const page = query.page.limit > 0 ? sorted.slice(start, start + query.page.limit) : sorted.slice(start);
  return { ids: query.countOnly ? [] : page.map((d) => d[ID]!), total: rows.length };
}

interface Level {
  rows: Doc[];
  schema: Schema;
  /** Result columns (after group/count/project); absent for documents. */
  columns?: string[];
  keyColumns: string[];
  /** Tiebreak for a sort: id + unwind positions for documents, group keys for results. */
  tiebreak: (a: Doc, b: Doc) => number;
}

export function evaluateStat(catalogue: Catalogue, docs: readonly Row[], query: StatQuery): { results: unknown[]; total?: number } {
  const schema = schemaOf(catalogue);
  let level: Level = {
    rows: sortBy(schema, filtered(catalogue, docs, query), catalogue.defaultSort, byId),
    schema,
    keyColumns: [],
    tiebreak: byId,
  };
  for (const stage of query.aggregate) level = apply(level, stage);
  const out = level.rows.map((row) => Object.fromEntries(level.columns!.map((c) => [c, wire(resolve(level.schema, row, c))])));
  const start = query.page.start - 1;
  const results = query.page.limit > 0 ? out.slice(start, start + query.page.limit) : out.slice(start);
  return query.page.limit > 0 ? { results, total: out.length } : { results };
}

function wire(t: Typed): unknown {
  if (t.value === undefined || t.value === null) return null;
  if (t.type === 'timestamp') return (t.value as Date).toISOString();
  return t.value;
}

const keyTiebreak = (schema: Schema, keys: string[]) => (a: Doc, b: Doc) => {
  for (const key of keys) {
    const c = compareTyped(resolve(schema, a, key), resolve(schema, b, key));
    if (c !== 0) return c;
  }
  return 0;
};

function apply(level: Level, stage: Stage): Level {
  switch (stage.kind) {
    case 'sort':
      return { ...level, rows: sortBy(level.schema, level.rows, stage.keys, level.tiebreak) };
    case 'limit':
      return { ...level, rows: level.rows.slice(0, stage.value) };
    case 'skip':
      return { ...level, rows: level.rows.slice(stage.value) };
    case 'count':
      return {
        rows: [{ [stage.name]: level.rows.length }],
        schema: { [stage.name]: 'number' },
        columns: [stage.name],
        keyColumns: [],
        tiebreak: () => 0,
      };
    case 'unwind': {
      const rows: Doc[] = [];
      for (const row of level.rows) {
        const value = resolve(level.schema, row, stage.path).value;
        const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
        list.forEach((element, i) => {
          const doc: Doc = { ...row, [stage.path]: element, [POSITIONS]: [...(row[POSITIONS] ?? []), i] };
          if (stage.filter.every((c) => holds({ ...level.schema, [stage.path]: 'json' }, doc, c))) rows.push(doc);
        });
      }
      const schema = { ...level.schema, [stage.path]: 'json' as const };
      const tiebreak = level.columns ? (a: Doc, b: Doc) => level.tiebreak(a, b) || byPositions(a, b) : byId;
      return { ...level, rows, schema, tiebreak };
    }
    case 'group':
      return group(level, stage);
    case 'project':
      return project(level, stage);
  }
}

function byPositions(a: Doc, b: Doc): number {
  const pa = a[POSITIONS] ?? [];
  const pb = b[POSITIONS] ?? [];
  return (pa[pa.length - 1] ?? 0) - (pb[pb.length - 1] ?? 0);
}

function group(level: Level, stage: Extract<Stage, { kind: 'group' }>): Level {
  const schema: Record<string, FieldType> = {};
  const keyOf = (row: Doc) =>
    stage.keys.map((k) => {
      const t = resolve(level.schema, row, k.key);
      const value = k.dateFormat ? dateKey(t, k.dateFormat) : t.type === 'date' ? t.value : t.value === undefined ? null : t.value;
      schema[k.name] = k.dateFormat ? (k.dateFormat.startsWith('%') ? 'text' : 'number') : t.type === 'date' ? 'text' : t.type;
      return value;
    });
  const groups: { key: unknown[]; rows: Doc[] }[] = [];
  for (const row of level.rows) {
    const key = keyOf(row);
    const found = groups.find((g) => g.key.every((v, i) => sameKey(v, key[i])));
    if (found) found.rows.push(row);
    else groups.push({ key, rows: [row] });
  }
  const rows = groups.map((g) => {
    const out: Doc = Object.fromEntries(stage.keys.map((k, i) => [k.name, g.key[i]]));
    for (const field of stage.fields) {
      const { value, type } = aggregate(level, field, g.rows);
      out[field.name] = value;
      schema[field.name] = type;
    }
    return out;
  });
  for (const field of stage.fields) schema[field.name] ??= aggregateType(level, field);
  const names = stage.keys.map((k) => k.name);
  const tiebreak = keyTiebreak(schema, names);
  return { rows: [...rows].sort(tiebreak), schema, columns: [...names, ...stage.fields.map((f) => f.name)], keyColumns: names, tiebreak };
}

const sameKey = (a: unknown, b: unknown) =>
  a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : jsonEqual(a ?? null, b ?? null);

function dateKey(t: Typed, format: string): unknown {
  if (t.value === undefined || t.value === null) return null;
  const iso = t.type === 'date' ? `${t.value as string}T00:00:00.000Z` : (t.value as Date).toISOString();
  const parts: Record<string, string> = {
    Y: iso.slice(0, 4),
    m: iso.slice(5, 7),
    d: iso.slice(8, 10),
    H: iso.slice(11, 13),
    M: iso.slice(14, 16),
    S: iso.slice(17, 19),
  };
  if (format === 'year') return Number(parts.Y);
  if (format === 'month') return Number(parts.m);
  if (format === 'day') return Number(parts.d);
  return format.replace(/%([YmdHMS])/g, (_, c: string) => parts[c]);
}

function aggregateType(level: Level, field: GroupField): FieldType {
  if (['count', 'sum', 'average'].includes(field.operator)) return 'number';
  if (['push', 'add_to_set', 'merge_objects'].includes(field.operator)) return 'json';
  const t = level.schema[field.key!] ?? 'json';
  if (field.operator === 'min' || field.operator === 'max') return t === 'json' ? 'number' : t === 'date' ? 'text' : t;
  return t === 'date' ? 'text' : t;
}

/** A value as push/add_to_set render it: datetimes to the second. */
function asJson(t: Typed): unknown {
  if (t.value === undefined || t.value === null) return t.type === 'json' && t.value === null ? null : undefined;
  if (t.type === 'timestamp') return (t.value as Date).toISOString().slice(0, 19) + 'Z';
  return t.value;
}

function aggregate(level: Level, field: GroupField, rows: Doc[]): { value: unknown; type: FieldType } {
  const type = aggregateType(level, field);
  const picked = field.conditions.length > 0 ? rows.filter((r) => field.conditions.every((c) => holds(level.schema, r, c))) : rows;
  const values = () => rows.map((r) => resolve(level.schema, r, field.key!));
  const numbers = (ts: Typed[]) => ts.map((t) => t.value).filter((v): v is number => typeof v === 'number');
  switch (field.operator) {
    case 'count':
      return { value: picked.length, type };
    case 'sum':
      return { value: numbers(picked.map((r) => resolve(level.schema, r, field.key!))).reduce((a, b) => a + b, 0), type };
    case 'average': {
      const all = rows
        .map((r) => {
          const v = resolve(level.schema, r, field.key!).value;
          if (field.conditions.length > 0 && !picked.includes(r)) return 0;
          return typeof v === 'number' ? v : undefined;
        })
        .filter((v): v is number => v !== undefined);
      return { value: all.length ? all.reduce((a, b) => a + b, 0) / all.length : null, type };
    }
    case 'min':
    case 'max': {
      const present = values().filter(
        (t) => t.value !== undefined && t.value !== null && (t.type !== 'json' || typeof t.value === 'number'),
      );
      if (present.length === 0) return { value: null, type };
      const best = present.reduce((a, b) => (compareTyped(a, b) < 0 === (field.operator === 'min') ? a : b));
      return { value: best.value, type };
    }
    case 'first':
    case 'last': {
      const t = field.operator === 'first' ? values()[0] : values()[rows.length - 1];
      return { value: t.value === undefined ? null : t.value, type };
    }
    case 'push':
      if (field.fields.length > 0) {
        return {
          value: rows.map((r) => Object.fromEntries(field.fields.map((f) => [f.name, asJson(resolve(level.schema, r, f.key)) ?? null]))),
          type,
        };
      }
      return {
        value: values()
          .map(asJson)
          .filter((v) => v !== undefined),
        type,
      };
    case 'add_to_set': {
      const set: unknown[] = [];
      for (const v of values().map(asJson)) if (v !== undefined && !set.some((s) => jsonEqual(s, v))) set.push(v);
      return { value: set.sort(compareJson), type };
    }
    case 'merge_objects':
      return {
        value: Object.assign(
          {},
          ...values()
            .map((t) => t.value)
            .filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)),
        ),
        type,
      };
  }
}

function project(level: Level, stage: Extract<Stage, { kind: 'project' }>): Level {
  const names = new Set(stage.fields.map((f) => f.name));
  const kept = stage.excludeKeys ? [] : level.keyColumns.filter((c) => !names.has(c));
  const schema: Record<string, FieldType> = { ...level.schema };
  const rows = level.rows.map((row) => {
    const out: Doc = { ...row };
    for (const f of stage.fields) {
      const t = resolve(level.schema, row, f.key);
      const [value, type] = projectValue(t, f.operator);
      out[f.name] = value;
      schema[f.name] = type;
    }
    return out;
  });
  for (const f of stage.fields)
    schema[f.name] ??= f.operator ? (f.operator === 'size' || f.operator === 'sum' ? 'number' : 'json') : (level.schema[f.key] ?? 'json');
  return { rows, schema, columns: [...kept, ...stage.fields.map((f) => f.name)], keyColumns: kept, tiebreak: level.tiebreak };
}

function projectValue(t: Typed, operator: string | undefined): [unknown, FieldType] {
  const v = t.value;
  switch (operator) {
    case undefined:
      return [v, t.type === 'date' ? 'text' : t.type];
    case 'size':
      return [Array.isArray(v) ? v.length : null, 'number'];
    case 'sum':
      if (t.type === 'number') return [v ?? 0, 'number'];
      if (typeof v === 'number') return [v, 'number'];
      return [Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number').reduce((a, b) => a + b, 0) : 0, 'number'];
    case 'array_to_object': {
      if (!Array.isArray(v)) return [null, 'json'];
      const out: Row = {};
      for (const item of v) {
        const [k, val] = Array.isArray(item)
          ? [item[0], item[1]]
          : typeof item === 'object' && item !== null
            ? [(item as Row).k, (item as Row).v]
            : [];
        if (typeof k === 'string' && val !== undefined) out[k] = val;
      }
      return [out, 'json'];
    }
    default: {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return [null, 'json'];
      return [
        Object.keys(v)
          .sort(compareText)
          .map((k) => ({ k, v: (v as Row)[k] })),
        'json',
      ];
    }
  }
}
