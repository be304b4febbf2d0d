import { isPrototypeKey } from '../../query/input.js';
import { PluginError } from '../plugin.js';

/**
 * An Azure `Tags` value → a flat string map. Current exports write a JSON object
 * (`{"env":"prod"}`); older EA exports wrote the same members without the braces
 * (`"env": "prod","team": "data"`), so a value that does not open with `{` is read as the
 * inside of one. Empty is no tags. Non-string values (rare, from tools that rewrite exports)
 * become their JSON text; a key that names a prototype is refused with the row.
 */
export function azureTags(value: string, row: number): Record<string, string> {
  if (value === '') return {};
  const text = value.startsWith('{') ? value : `{${value}}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER_TYPE',
      `row ${row}: Tags is neither a JSON object nor "key": "value" pairs (as Azure exports write them)`,
    );
  }
  const tags: [string, string][] = [];
  for (const [key, tag] of Object.entries(parsed)) {
    if (isPrototypeKey(key)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `row ${row}: Tags has a key named "${key}", which is not allowed`);
    }
    if (tag !== null && tag !== undefined) tags.push([key, typeof tag === 'string' ? tag : JSON.stringify(tag)]);
  }
  return Object.fromEntries(tags);
}
