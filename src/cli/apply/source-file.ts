import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * Data sources declared in a file (YAML or JSON), as `costsync apply -f` and
 * `costsync data-source register|update -f` read them:
 *
 *   data_sources:
 *     - name: aws-cur-payer
 *       plugin: aws-cur
 *       options: { base_url: [s3://billing/cur/], cost_measure: amortized }
 *       secret:
 *         aws_access_key_id: { env: AWS_ACCESS_KEY_ID }
 *         aws_secret_access_key: { file: ./secrets/aws-secret }
 *       schedule: { hour: 3 }          # or: off
 *       retention_months: 24
 *
 * A secret value `{ env: NAME }` is read from the environment and `{ file: path }` from a file
 * (relative to the declaring file, trailing line break dropped), so the file itself holds no
 * secret. Mistakes name the entry and the key: `sources.yaml: data_sources[1].schedule.hour …`.
 */
export interface DesiredSource {
  readonly name: string;
  readonly plugin: string;
  readonly options: Record<string, unknown>;
  readonly secret?: Record<string, unknown>;
  readonly schedule: { readonly state: 'ENABLED' | 'DISABLED'; readonly hour: number };
  /** undefined: the server's default. */
  readonly retentionMonths?: number;
  readonly workspaceId?: string;
}

/** The server's default schedule hour (UTC), used for an entry that names none. */
export const DEFAULT_HOUR = 16;
const KNOWN = new Set(['name', 'plugin', 'options', 'secret', 'schedule', 'retention_months', 'workspace_id']);
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export class SourceFileError extends Error {}

/** Every data source of the file at `path`. */
export function readSourceFile(path: string, env: NodeJS.ProcessEnv = process.env): DesiredSource[] {
  const document = parseFile(path);
  const list = Array.isArray(document) ? document : isObject(document) ? document.data_sources : undefined;
  if (!Array.isArray(list)) throw new SourceFileError(`${path}: expected a list under data_sources`);
  const sources = list.map((entry, i) => desiredSource(entry, `${path}: data_sources[${i}]`, dirname(path), env));
  const seen = new Set<string>();
  for (const source of sources) {
    if (seen.has(source.name))
      throw new SourceFileError(`${path}: the name "${source.name}" is declared twice; names identify data sources`);
    seen.add(source.name);
  }
  return sources;
}

/** The one data source of a file (for `data-source register|update -f`): a list of one, or the entry alone. */
export function readOneSource(path: string, env: NodeJS.ProcessEnv = process.env): DesiredSource {
  const document = parseFile(path);
  if (isObject(document) && !Array.isArray(document.data_sources)) return desiredSource(document, path, dirname(path), env);
  const sources = readSourceFile(path, env);
  if (sources.length !== 1)
    throw new SourceFileError(`${path}: declares ${sources.length} data sources; use costsync apply -f for several`);
  return sources[0];
}

function parseFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SourceFileError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return parse(text);
  } catch (error) {
    throw new SourceFileError(`${path}: not YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

function desiredSource(entry: unknown, where: string, base: string, env: NodeJS.ProcessEnv): DesiredSource {
  if (!isObject(entry)) throw new SourceFileError(`${where}: expected a mapping with name and plugin`);
  checkKeys(entry, where);
  for (const key of Object.keys(entry)) {
    if (!KNOWN.has(key)) throw new SourceFileError(`${where}.${key}: unknown key (known: ${[...KNOWN].join(', ')})`);
  }
  const text = (key: string) => {
    const value = entry[key];
    if (typeof value !== 'string' || value.trim() === '') throw new SourceFileError(`${where}.${key}: required, a non-empty text`);
    return value.trim();
  };
  const options = entry.options ?? {};
  if (!isObject(options)) throw new SourceFileError(`${where}.options: expected a mapping`);
  const secret = entry.secret;
  if (secret !== undefined && !isObject(secret)) throw new SourceFileError(`${where}.secret: expected a mapping`);
  const retention = entry.retention_months;
  if (retention !== undefined && (!Number.isInteger(retention) || (retention as number) < 0)) {
    throw new SourceFileError(`${where}.retention_months: a whole number of months (0 keeps all)`);
  }
  const workspace = entry.workspace_id;
  if (workspace !== undefined && typeof workspace !== 'string') throw new SourceFileError(`${where}.workspace_id: expected a text`);
  return {
    name: text('name'),
    plugin: text('plugin'),
    options,
    ...(secret ? { secret: resolveSecret(secret, `${where}.secret`, base, env) } : {}),
    schedule: schedule(entry.schedule, `${where}.schedule`),
    ...(retention !== undefined ? { retentionMonths: retention as number } : {}),
    ...(workspace ? { workspaceId: workspace } : {}),
  };
}

function schedule(value: unknown, where: string): DesiredSource['schedule'] {
  if (value === undefined) return { state: 'ENABLED', hour: DEFAULT_HOUR };
  if (value === false || value === 'off') return { state: 'DISABLED', hour: DEFAULT_HOUR };
  const hour = isObject(value) ? value.hour : value;
  if (!Number.isInteger(hour) || (hour as number) < 0 || (hour as number) > 23) {
    throw new SourceFileError(`${where}: "off", or { hour: H } with H from 0 to 23 (UTC)`);
  }
  return { state: 'ENABLED', hour: hour as number };
}

/** Secret values, with `{ env: NAME }` and `{ file: path }` read. */
function resolveSecret(secret: Record<string, unknown>, where: string, base: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(secret)) {
    if (isObject(value) && Object.keys(value).length === 1 && typeof value.env === 'string') {
      const found = env[value.env];
      if (found === undefined) throw new SourceFileError(`${where}.${key}: environment variable ${value.env} is not set`);
      out[key] = found;
    } else if (isObject(value) && Object.keys(value).length === 1 && typeof value.file === 'string') {
      try {
        out[key] = readFileSync(resolve(base, value.file), 'utf8').replace(/\r?\n$/, '');
      } catch (error) {
        throw new SourceFileError(`${where}.${key}: ${value.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    } else out[key] = value;
  }
  return out;
}

function checkKeys(value: unknown, where: string): void {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) checkKeys(item, `${where}[${i}]`);
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) throw new SourceFileError(`${where}: the key "${key}" is not accepted`);
      checkKeys(value[key], `${where}.${key}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `costsync data-source register|update` flags; each one given replaces the same key of `base`. */
export interface SourceFlags {
  name?: string;
  plugin?: string;
  /** The options as JSON. */
  options?: string;
  /** The name of an environment variable holding the secret as JSON (a secret never goes on a command line). */
  secretEnv?: string;
  /** `off` or an hour (UTC). */
  schedule?: string;
  retentionMonths?: string;
}

/** A data source from flags over `base` (the current one, for update); mistakes name the flag. */
export function sourceFromFlags(
  flags: SourceFlags,
  base: Record<string, unknown> = {},
  env: NodeJS.ProcessEnv = process.env,
): DesiredSource {
  const json = (flag: string, text: string) => {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new SourceFileError(`${flag}: not JSON (${(error as Error).message})`);
    }
  };
  const entry: Record<string, unknown> = { ...base };
  if (flags.name !== undefined) entry.name = flags.name;
  if (flags.plugin !== undefined) entry.plugin = flags.plugin;
  if (flags.options !== undefined) entry.options = json('--options', flags.options);
  if (flags.secretEnv !== undefined) {
    const text = env[flags.secretEnv];
    if (text === undefined) throw new SourceFileError(`--secret-env: environment variable ${flags.secretEnv} is not set`);
    entry.secret = json(`--secret-env (${flags.secretEnv})`, text);
  }
  if (flags.schedule !== undefined)
    entry.schedule = flags.schedule === 'off' ? 'off' : { hour: /^\d+$/.test(flags.schedule) ? Number(flags.schedule) : flags.schedule };
  if (flags.retentionMonths !== undefined)
    entry.retention_months = /^\d+$/.test(flags.retentionMonths) ? Number(flags.retentionMonths) : flags.retentionMonths;
  try {
    return desiredSource(entry, 'flag', process.cwd(), env);
  } catch (error) {
    if (!(error instanceof SourceFileError)) throw error;
    throw new SourceFileError(
      error.message.replace(/^flag\.(\w+)/, (_, key: string) => `--${key === 'secret' ? 'secret-env' : key.replaceAll('_', '-')}`),
    );
  }
}
