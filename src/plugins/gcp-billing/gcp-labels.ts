import { isPrototypeKey } from '../../query/input.js';
import type { Nested } from '../exports/export-plugin.js';
import { PluginError } from '../plugin.js';
import { entries, textOf } from './gcp-fields.js';

/**
 * A row's tags: the resource's `labels` under their own keys, the project's labels
 * (`project.labels`) as `project:<key>`, and Resource Manager tags (`tags`) as
 * `<namespace>/<key>`, the tag's namespaced name. Google allows only lowercase letters, digits,
 * `_` and `-` in label keys, so neither prefix can meet a resource label: allocating by
 * `project:team` and by `team` stays two different questions. A key that names a prototype is
 * refused with the row, wherever it sits. `system_labels` (`compute.googleapis.com/cores`, …)
 * describe the SKU, not an owner, and are not tags.
 */
export function gcpTags(values: Nested, row: number): Record<string, string> {
  const out: [string, string][] = [];
  for (const entry of labelEntries(values, 'tags', row)) {
    out.push([entry.namespace ? `${entry.namespace}/${entry.key}` : entry.key, entry.value]);
  }
  for (const entry of labelEntries(values, 'project.labels', row)) out.push([`project:${entry.key}`, entry.value]);
  // The resource's own labels last: on the one possible meeting (a tag without a namespace), they win.
  for (const entry of labelEntries(values, 'labels', row)) out.push([entry.key, entry.value]);
  return Object.fromEntries(out);
}

interface Label {
  readonly key: string;
  readonly value: string;
  readonly namespace: string;
}

function labelEntries(values: Nested, path: string, row: number): Label[] {
  const out: Label[] = [];
  for (const entry of entries(values, path, row)) {
    const key = textOf(entry.key);
    if (key === '') continue;
    if (isPrototypeKey(key)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `row ${row}: ${path} has a key named "${key}", which is not allowed`);
    }
    out.push({ key, value: textOf(entry.value), namespace: textOf(entry.namespace) });
  }
  return out;
}
