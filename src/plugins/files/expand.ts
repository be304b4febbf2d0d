import { storeFor } from './locations.js';
import type { StoreContext } from './store.js';

/** A file an export names, and the last billing month it can hold when its location tells (YYYY-MM). */
export interface ExportFile {
  readonly url: string;
  readonly lastMonth?: string;
}

/**
 * The files of `options.base_url`: a URL ending in `/` is a folder or prefix (every file under
 * it), one with `*` or `?` a glob, a `…Manifest.json` the report files it names; any other
 * URL is one file.
 */
export async function* exportFiles(urls: readonly string[], context: StoreContext, signal: AbortSignal): AsyncGenerator<ExportFile> {
  for (const url of urls) {
    const store = storeFor(url, context);
    if (url.endsWith('/')) {
      for await (const entry of store.list(url, signal)) yield { url: entry.url };
    } else {
      yield { url };
    }
  }
}
