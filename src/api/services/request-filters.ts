import { err } from '../../domain/errors.js';
import type { Condition } from '../../query/filter.js';
import { requestConditions } from '../../query/filter.js';
import { readString, type Json } from '../../query/input.js';

/**
 * Request-level filters of list requests (`job_id`, `status`, …): each must be a string or a
 * list of strings; enum fields must name a known value. SCOPE_NONE/…_NONE (proto enum 0)
 * means "not given", as on the upstream wire.
 */
export function listConditions(
  request: Json,
  keys: readonly string[],
  enums: Readonly<Record<string, readonly string[]>> = {},
): Condition[] {
  const values: Json = {};
  for (const key of keys) {
    const value = request[key];
    if (value === undefined || value === null || value === '') continue;
    const list = Array.isArray(value) ? value : [value];
    if (list.some((item) => typeof item !== 'string')) throw err.invalidType(key, 'string or list of strings');
    const allowed = enums[key];
    const kept = allowed ? (list as string[]).filter((item) => !item.endsWith('_NONE')) : (list as string[]);
    const unknown = allowed && kept.find((item) => !allowed.includes(item));
    if (allowed && unknown !== undefined) throw err.invalid(key, `"${unknown}" is not one of ${allowed.join(', ')}`);
    if (kept.length > 0) values[key] = Array.isArray(value) ? kept : kept[0];
  }
  return requestConditions(values, keys);
}

/** The `workspace_id` a DOMAIN_ADMIN may pass to narrow a read to one workspace (plus `"*"`). */
export function requestedWorkspace(request: Json): string | undefined {
  return readString(request, 'workspace_id');
}
