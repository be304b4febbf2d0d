/** The host suffix of Azure Blob accounts: `https://<account>.blob.core.windows.net/…`. */
export const BLOB_HOST = '.blob.core.windows.net';

/** An `https://<account>.blob.core.windows.net/…` URL is an Azure Blob location. */
export const isAzureBlobUrl = (url: URL): boolean => url.protocol === 'https:' && url.hostname.endsWith(BLOB_HOST);
