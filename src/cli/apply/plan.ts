import { createHash, randomBytes } from 'node:crypto';
import type { DataSourceWire } from '../api-answers.js';
import type { DesiredSource } from './source-file.js';

/**
 * What `costsync apply` will do: data sources are matched by name; one in the file and not on
 * the server is created, one whose plugin options, secret, schedule or retention differ is
 * changed, and one that apply created earlier (tagged MANAGED_TAG) but the file no longer
 * declares is deleted. Data sources made otherwise are never deleted by apply; one named in the
 * file is taken over. The secret is write-only, so apply keeps a salted SHA-256 fingerprint of
 * what it wrote in a tag (SECRET_TAG) to know whether the file's secret changed.
 */
export const MANAGED_TAG = 'costsync.apply';
export const SECRET_TAG = 'costsync.apply.secret';

export type Change =
  | { readonly kind: 'create'; readonly desired: DesiredSource }
  | { readonly kind: 'update'; readonly desired: DesiredSource; readonly current: DataSourceWire; readonly what: readonly string[] }
  | { readonly kind: 'delete'; readonly current: DataSourceWire }
  | { readonly kind: 'unchanged'; readonly desired: DesiredSource; readonly current: DataSourceWire };

export function planChanges(desired: readonly DesiredSource[], current: readonly DataSourceWire[]): Change[] {
  const byName = new Map(current.map((source) => [source.name, source]));
  const changes: Change[] = desired.map((source) => {
    const found = byName.get(source.name);
    if (!found) return { kind: 'create', desired: source };
    const what = differences(source, found);
    return what.length === 0
      ? { kind: 'unchanged', desired: source, current: found }
      : { kind: 'update', desired: source, current: found, what };
  });
  const declared = new Set(desired.map((source) => source.name));
  for (const source of current) {
    if (!declared.has(source.name) && source.tags?.[MANAGED_TAG] === 'managed') changes.push({ kind: 'delete', current: source });
  }
  return changes;
}

/**
 * What differs, in words a plan line shows: `options.cost_measure`, `schedule 03:00 → 05:00 UTC`,
 * `secret`; with `managed`, also that apply takes over a data source it did not create.
 */
export function differences(desired: DesiredSource, current: DataSourceWire, { managed = true } = {}): string[] {
  const what: string[] = [];
  const plugin = current.plugin_info?.plugin_id;
  if (plugin !== desired.plugin) what.push(`plugin ${plugin ?? '(none)'} → ${desired.plugin}`);
  const options = (current.plugin_info?.options ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(options), ...Object.keys(desired.options)])) {
    const before = options[key] ?? undefined;
    const after = desired.options[key];
    if (before === null && after === undefined) continue; // removed earlier
    if (stable(before) !== stable(after)) what.push(`options.${key}`);
  }
  const schedule = scheduleText(current.schedule?.state === 'ENABLED', current.schedule?.hour ?? 0);
  const wanted = scheduleText(desired.schedule.state === 'ENABLED', desired.schedule.hour);
  if (schedule !== wanted) what.push(`schedule ${schedule} → ${wanted}`);
  const retention = current.retention_months ?? undefined;
  if (retention !== desired.retentionMonths) {
    what.push(`retention_months ${retention ?? 'default'} → ${desired.retentionMonths ?? 'default'}`);
  }
  if (desired.secret && !secretMatches(desired.secret, current.tags?.[SECRET_TAG])) what.push('secret');
  if (managed && current.tags?.[MANAGED_TAG] !== 'managed') what.push('managed by apply from now on');
  return what;
}

const scheduleText = (enabled: boolean, hour: number) => (enabled ? `daily ${String(hour).padStart(2, '0')}:00 UTC` : 'off');

/** `salt:sha256(salt, secret)`, the secret as canonical JSON. */
export function secretFingerprint(secret: Record<string, unknown>, salt = randomBytes(8).toString('hex')): string {
  return `${salt}:${createHash('sha256').update(salt).update(stable(secret)).digest('hex')}`;
}

function secretMatches(secret: Record<string, unknown>, fingerprint: unknown): boolean {
  if (typeof fingerprint !== 'string' || !fingerprint.includes(':')) return false;
  return secretFingerprint(secret, fingerprint.slice(0, fingerprint.indexOf(':'))) === fingerprint;
}

/** JSON with object keys sorted, so that equal values have equal text. */
export function stable(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `[${value.map(stable).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${stable(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
