import { isPrototypeKey } from '../../query/input.js';
import { PluginError } from '../plugin.js';

/**
 * A FOCUS `Tags` value → a flat string map. Exports write it as a JSON object (FOCUS), as that
 * JSON once more inside a JSON string (some double-encode it), or as `key=value` pairs
 * separated by `;` or `,` (older exports); empty and `NULL` are no tags. Non-string values
 * become their JSON text. Keys that name a prototype are refused with the row.
 */
export function parseTags(value: string, row: number): Record<string, string> {
  if (value === '') return {};
  const object = value.startsWith('{') || value.startsWith('"') ? jsonObject(value, row) : pairs(value, row);
  const tags: Record<string, string> = Object.create(null);
  for (const [key, tag] of Object.entries(object)) {
    if (isPrototypeKey(key)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `row ${row}: Tags has a key named "${key}", which is not allowed`);
    }
    tags[key] = typeof tag === 'string' ? tag : JSON.stringify(tag);
  }
  return { ...tags };
}

function jsonObject(value: string, row: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
    if (typeof parsed === 'string') parsed = JSON.parse(parsed);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: Tags is not a JSON object nor key=value pairs`);
  }
  return parsed as Record<string, unknown>;
}

function pairs(value: string, row: number): Record<string, string> {
  const out: [string, string][] = [];
  for (const pair of value.split(/[;,]/)) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new PluginError('ERROR_INVALID_PARAMETER_TYPE', `row ${row}: Tags is not a JSON object nor key=value pairs`);
    out.push([pair.slice(0, at).trim(), pair.slice(at + 1).trim()]);
  }
  return Object.fromEntries(out);
}
