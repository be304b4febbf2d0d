import type { Principal } from '../../auth/principal.js';
import { visibleTo } from '../../auth/scope.js';
import { err } from '../../domain/errors.js';
import { formatTimestamp } from '../../domain/time.js';
import { resolveField, type Catalogue } from '../../query/catalogue.js';
import type { Condition } from '../../query/filter.js';
import { isObject, readStringList, type Json } from '../../query/input.js';
import { compileList, LIST_TOTAL, type ListPlan } from '../../query/list.js';
import type { ListQuery } from '../../query/parse-query.js';
import type { StatQuery } from '../../query/parse-stat.js';
import { compileStat, type StatPlan } from '../../query/stat.js';
import { compile, raw, sql } from '../../query/sql.js';
import { type Database, type Queryable, readSnapshot } from '../../store/database.js';
import type { Wire } from '../views.js';

/**
 * The read side shared by every resource: get one visible row, list, stat. Scope always
 * comes from `visibleTo`, so get, list and stat of a resource see exactly the same rows.
 */

/** One row by id, or ERROR_NOT_FOUND when it does not exist or the caller cannot see it. */
export async function findVisible<R>(db: Queryable, catalogue: Catalogue, id: string, principal: Principal): Promise<R> {
  const idColumn = raw(catalogue.fields[catalogue.idKey].sql);
  const query = compile(
    sql`SELECT ${raw(catalogue.select)} FROM ${raw(catalogue.source)} WHERE ${idColumn} = ${id} AND ${visibleTo(principal)}`,
  );
  const [row] = await guarded(() => db.query<R>(query.sql, query.params));
  if (!row) throw err.notFound(catalogue.idKey, id);
  return row;
}

export interface ListOptions<R> {
  readonly principal: Principal;
  readonly query: ListQuery;
  readonly conditions: readonly Condition[];
  /** A DOMAIN_ADMIN's `workspace_id` narrows the scope to it plus `"*"`. */
  readonly workspaceId?: string;
  readonly view: (row: R) => Wire;
  readonly minimalView: (row: R) => Wire;
}

/** A page and its total_count, read from one snapshot: both from the same generation. */
export async function runList<R>(db: Database, catalogue: Catalogue, options: ListOptions<R>): Promise<Wire> {
  const plan = compileList(catalogue, options.query, {
    scope: visibleTo(options.principal, options.workspaceId),
    conditions: options.conditions,
  });
  await checkPatterns(db, plan.patterns);
  const { total, rows } = await readPage<R>(db, plan);
  const view = plan.minimal ? options.minimalView : options.view;
  const results = rows.map((row) => (plan.only ? project(view(row), plan.only) : view(row)));
  return { results, total_count: Number(total) };
}

/**
 * One statement when it can (one round trip, its own snapshot): the count alone, or a page
 * whose rows carry the count. Only an empty page — whose rows cannot carry it — is read again
 * with the count in a snapshot.
 */
async function readPage<R>(db: Database, plan: ListPlan): Promise<{ total: number | string; rows: R[] }> {
  if (!plan.pageWithTotal) {
    const [{ total }] = await guarded(() => db.query<{ total: number }>(plan.count.sql, plan.count.params));
    return { total, rows: [] };
  }
  const { sql: text, params } = plan.pageWithTotal;
  const rows = await guarded(() => db.query<R & { [LIST_TOTAL]?: number | string }>(text, params));
  if (rows.length > 0) {
    const total = rows[0][LIST_TOTAL]!;
    for (const row of rows) delete row[LIST_TOTAL];
    return { total, rows };
  }
  return readSnapshot(db, async (tx) => {
    const [{ total }] = await guarded(() => tx.query<{ total: number }>(plan.count.sql, plan.count.params));
    return { total, rows: await guarded(() => tx.query<R>(plan.rows!.sql, plan.rows!.params)) };
  });
}

/**
 * Stat results, and their total_count read from the same snapshot. Without a total_count (no
 * page asked for) the results are one statement, read outside any transaction.
 */
export async function runStat(
  db: Database,
  catalogue: Catalogue,
  options: { principal: Principal; query: StatQuery; conditions?: readonly Condition[]; workspaceId?: string },
): Promise<Wire> {
  const plan = await checkedStat(db, catalogue, options);
  const { total } = plan;
  if (!total) return { results: await statResults(db, plan) };
  return readSnapshot(db, async (tx) => {
    const results = await statResults(tx, plan);
    const [{ total: count }] = await guarded(() => tx.query<{ total: number }>(total.sql, total.params));
    return { results, total_count: Number(count) };
  });
}

/**
 * Cost.analyze: `{results, more}`. Pages hold at most the catalogue's page limit; one extra
 * row is read to tell whether more follow.
 */
export async function runAnalyze(
  db: Queryable,
  catalogue: Catalogue,
  options: { principal: Principal; query: StatQuery; conditions: readonly Condition[]; workspaceId?: string },
): Promise<Wire> {
  const { start, limit: asked } = options.query.page;
  const limit = Math.min(asked || catalogue.pageLimit.max, catalogue.pageLimit.max);
  const plan = await checkedStat(db, catalogue, { ...options, query: { ...options.query, page: { start, limit: limit + 1 } } });
  const results = await statResults(db, plan);
  return { results: results.slice(0, limit), more: results.length > limit };
}

/** Compiles a stat query within the caller's visibility and checks its patterns. */
async function checkedStat(
  db: Queryable,
  catalogue: Catalogue,
  options: { principal: Principal; query: StatQuery; conditions?: readonly Condition[]; workspaceId?: string },
): Promise<StatPlan> {
  const plan = compileStat(catalogue, options.query, {
    scope: visibleTo(options.principal, options.workspaceId),
    conditions: options.conditions ?? [],
  });
  await checkPatterns(db, plan.patterns);
  return plan;
}

async function statResults(db: Queryable, plan: StatPlan): Promise<unknown[]> {
  const rows = await guarded(() => db.query<Record<string, unknown>>(plan.rows.sql, plan.rows.params));
  return rows.map((row) => statResult(plan, row));
}

function statResult(plan: StatPlan, row: Record<string, unknown>): unknown {
  if (plan.shape.kind === 'distinct') return render(row.value, plan.shape.type);
  return Object.fromEntries(plan.shape.columns.map((c) => [c.name, render(row[c.alias], c.type)]));
}

function render(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'timestamp') return formatTimestamp(value as Date);
  if (type === 'number') return Number(value);
  return value;
}

/** `only`: keep the listed keys; a dotted key keeps that path inside a nested object. */
export function project(info: Wire, only: readonly string[]): Wire {
  const out: Wire = {};
  for (const key of only) {
    const path = key.split('.');
    let source: unknown = info;
    for (const segment of path) source = isObject(source) ? source[segment] : undefined;
    if (source === undefined) continue;
    let target = out;
    path.slice(0, -1).forEach((segment) => {
      if (!isObject(target[segment])) target[segment] = {};
      target = target[segment] as Wire;
    });
    target[path[path.length - 1]] = source;
  }
  return out;
}

/** `only` of a get request (GetJobTaskRequest has it), applied like a list's. */
export function projectGet(catalogue: Catalogue, info: Wire, request: Json): Wire {
  const only = readStringList(request, 'only');
  if (!only || only.length === 0) return info;
  for (const [i, key] of only.entries()) resolveField(catalogue, key, `only[${i}]`);
  return project(info, only);
}

/**
 * Regular expressions are compiled by the database, which raises 2201B for a bad one — but
 * only when a row reaches the test. Trying every pattern once up front makes a bad pattern
 * ERROR_DB_QUERY (400) whatever the data, on both backends.
 */
async function checkPatterns(db: Queryable, patterns: readonly string[]): Promise<void> {
  if (patterns.length === 0) return;
  await guarded(() => db.query(`SELECT count(*) FROM unnest($1::text[]) AS pattern(p) WHERE '' ~* pattern.p`, [patterns]));
}

/**
 * Compiled queries only bind checked values, but a value can still be out of range for the
 * database (an absurd date, say). A data exception (SQLSTATE class 22) is the client's query,
 * so it is ERROR_DB_QUERY (400), never a 500.
 */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('22')) throw err.dbQuery((error as Error).message);
    throw error;
  }
}
