import type { FileStore, StoreContext, StoreKind } from './store.js';
import { parseLocation } from './store.js';
import { isAzureBlobUrl } from './stores/azure-blob-url.js';
import { httpFiles } from './stores/http.js';
import { localFiles } from './stores/local.js';

/**
 * The S3 and Azure Blob stores bring their cloud SDKs (≈ 40 MB of resident memory together);
 * they are imported the first time a data source reads from such a location, so a server or
 * worker that never does holds none of it.
 */
const s3Files: StoreKind = {
  schemes: ['s3:'],
  make: async (context) => (await import('./stores/s3.js')).s3Files.make(context),
};
const azureBlobFiles: StoreKind = {
  schemes: ['azblob:'],
  claims: isAzureBlobUrl,
  make: async (context) => (await import('./stores/azure-blob.js')).azureBlobFiles.make(context),
};

/** Every location the export plugins read from, by URL scheme (files/stores/). */
export const STORE_KINDS: readonly StoreKind[] = [localFiles, httpFiles, s3Files, azureBlobFiles];

/**
 * The store that reads `url`, made with the data source's secret (which it checks); a
 * PluginError for an unknown scheme or a secret the store cannot use.
 */
export async function storeFor(url: string, context: StoreContext): Promise<FileStore> {
  return parseLocation(url, STORE_KINDS).kind.make(context);
}
