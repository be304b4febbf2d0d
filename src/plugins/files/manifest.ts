import { PluginError } from '../plugin.js';
import type { FileStore } from './store.js';

/**
 * Report manifests: the file that names a billing period's data files, so that a sync reads
 * exactly the current version of a report (a report folder also holds earlier versions) and
 * skips a period before the sync's start without opening its files. Three shapes are read:
 *   - AWS legacy CUR (`<report>-Manifest.json`): `reportKeys` (keys in the bucket) and
 *     `billingPeriod.start` (`20261101T000000.000Z`);
 *   - AWS Data Exports / CUR 2.0 (`<export>-Manifest.json`): `dataFiles` (`s3://bucket/key`)
 *     and `billingPeriod.start` (ISO 8601);
 *   - Azure cost exports (`manifest.json`): `blobs[].blobName` (paths in the container) and
 *     `runInfo.startDate` / `runInfo.endDate`.
 */
export interface Manifest {
  /** The data files' keys or URLs, as the manifest writes them. */
  readonly keys: string[];
  /** The billing period's first and last month (YYYY-MM), when the manifest tells. */
  readonly firstMonth?: string;
  readonly lastMonth?: string;
}

const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

export function isManifest(url: string): boolean {
  return /(^|[/-])manifest\.json$/i.test(new URL(url).pathname);
}

export async function readManifest(url: string, store: FileStore, signal: AbortSignal): Promise<Manifest> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of await store.open(url, signal)) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_MANIFEST_BYTES)
      throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: a manifest larger than 16 MB is not a manifest`);
    chunks.push(chunk as Buffer);
  }
  let json: unknown;
  try {
    json = JSON.parse(
      Buffer.concat(chunks)
        .toString('utf8')
        .replace(/^\uFEFF/, ''),
    );
  } catch (error) {
    throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: the manifest is not JSON (${(error as Error).message})`);
  }
  const manifest = shapeOf(json);
  if (!manifest) {
    throw new PluginError(
      'ERROR_INVALID_PARAMETER',
      `${url} is not a report manifest: it has no reportKeys (AWS CUR), dataFiles (AWS Data Exports) or blobs (Azure exports)`,
    );
  }
  return manifest;
}

function shapeOf(json: unknown): Manifest | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const doc = json as Record<string, unknown>;
  const period = doc.billingPeriod as { start?: unknown; end?: unknown } | undefined;
  const strings = (list: unknown) => (Array.isArray(list) ? list.filter((k): k is string => typeof k === 'string' && k !== '') : undefined);
  const aws = strings(doc.reportKeys) ?? strings(doc.dataFiles);
  if (aws) {
    const first = monthOf(period?.start);
    const end = monthOf(period?.end, true);
    return { keys: aws, firstMonth: first, lastMonth: end ?? first };
  }
  if (Array.isArray(doc.blobs)) {
    const keys = strings(
      doc.blobs.map((blob) => (blob && typeof blob === 'object' ? (blob as { blobName?: unknown }).blobName : undefined)),
    );
    const run = (doc.runInfo ?? {}) as { startDate?: unknown; endDate?: unknown };
    return { keys: keys ?? [], firstMonth: monthOf(run.startDate), lastMonth: monthOf(run.endDate) };
  }
  return undefined;
}

/**
 * The month of a manifest date (`20261101T000000.000Z` or ISO 8601). An exclusive period end
 * on the first of a month at midnight (AWS's `billingPeriod.end`) ends the month before.
 */
function monthOf(value: unknown, exclusiveEnd = false): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2}))?/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  if (exclusiveEnd && day === '01' && hour === '00' && minute === '00' && second === '00') {
    const date = new Date(Date.UTC(+year, +month - 2, 1));
    return date.toISOString().slice(0, 7);
  }
  return `${year}-${month}`;
}

/**
 * The URL of a data file a manifest names. A manifest writes keys from the root of its bucket
 * or container (or whole `s3://bucket/key` URLs); a report copied elsewhere (a local folder, a
 * web server) keeps its folder layout, so the root is where the manifest's own path meets the
 * key's leading folders.
 */
export function dataFileUrl(manifestUrl: string, key: string): string {
  const manifest = new URL(manifestUrl);
  let path = key;
  const whole = /^(s3|azblob|gs):\/\/([^/]+)\/(.*)$/.exec(key) ?? /^https?:\/\/[^/]+\/(.*)$/.exec(key);
  if (whole) {
    if (whole[1] === 's3' && manifest.protocol === 's3:' && manifest.host === whole[2]) return key;
    path = whole[3] ?? whole[1];
  }
  const keySegments = path.replace(/^\/+/, '').split('/');
  const folder = manifest.pathname.split('/').slice(0, -1);
  let best = { at: -1, length: 0 };
  for (let at = 0; at < folder.length; at++) {
    let length = 0;
    while (length < keySegments.length - 1 && folder[at + length] === keySegments[length]) length++;
    if (length > best.length) best = { at, length };
  }
  const rootPath = best.length > 0 ? folder.slice(0, best.at) : bucketRoot(manifest, folder);
  const url = new URL(manifest.href);
  url.pathname = [...rootPath, ...keySegments].join('/');
  return url.href;
}

/** Where keys start when the manifest's path does not show it: the bucket (s3://) or the container. */
function bucketRoot(manifest: URL, folder: string[]): string[] {
  if (manifest.protocol === 's3:' || manifest.protocol === 'azblob:') return [''];
  if (manifest.hostname.endsWith('.blob.core.windows.net')) return folder.slice(0, 2);
  return folder;
}
