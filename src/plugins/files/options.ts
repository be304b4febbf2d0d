import { PluginError } from '../plugin.js';

/** `options.base_url`: a list of URLs (or one URL as a string), at least one. */
export function baseUrls(options: Record<string, unknown> | undefined): string[] {
  const value = options?.base_url;
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
  const urls = list.filter((item): item is string => typeof item === 'string' && item.trim() !== '').map((item) => item.trim());
  if (urls.length === 0) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = options.base_url)');
  return urls;
}

/** Rows in pages of `size`; like the upstream plugin, always ⌊n/size⌋+1 pages (the last may be empty). */
export async function* pages<T>(rows: AsyncIterable<T>, size = 1000): AsyncGenerator<T[]> {
  let page: T[] = [];
  for await (const row of rows) {
    page.push(row);
    if (page.length === size) {
      yield page;
      page = [];
    }
  }
  yield page;
}
