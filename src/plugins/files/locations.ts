import type { FileStore, StoreContext, StoreKind } from './store.js';
import { parseLocation } from './store.js';
import { azureBlobFiles } from './stores/azure-blob.js';
import { httpFiles } from './stores/http.js';
import { localFiles } from './stores/local.js';
import { s3Files } from './stores/s3.js';

/** Every location the export plugins read from, by URL scheme (files/stores/). */
export const STORE_KINDS: readonly StoreKind[] = [localFiles, httpFiles, s3Files, azureBlobFiles];

/** The store that reads `url`, made with the data source's secret; a PluginError for an unknown scheme. */
export function storeFor(url: string, context: StoreContext): FileStore {
  return parseLocation(url, STORE_KINDS).kind.make(context);
}
