import { PluginError } from '../plugin.js';
import { storeFor } from './locations.js';
import { dataFileUrl, isManifest, readManifest } from './manifest.js';
import type { FileStore, StoreContext } from './store.js';

/** A file an export names, and the months it can hold when its location tells (YYYY-MM). */
export interface ExportFile {
  readonly url: string;
  readonly firstMonth?: string;
  readonly lastMonth?: string;
}

/**
 * The files of `options.base_url`, each URL one of:
 *   - a report manifest (`…-Manifest.json`, Azure's `manifest.json`): the files it names;
 *   - a folder or prefix (ends in `/`) or a glob (`*` within a folder name, `**` across
 *     folders, `?` one character): the files under it — but where the listing holds report
 *     manifests, only the files they name, since a report folder keeps earlier versions of
 *     a period beside the current one (loading all would double count);
 *   - any other URL: that one file.
 * Billing periods come from manifests and from folder names AWS and Azure write
 * (`BILLING_PERIOD=2026-11`, `20261101-20261201`), so a sync can skip a period before its
 * start without opening its files.
 */
export async function* exportFiles(urls: readonly string[], context: StoreContext, signal: AbortSignal): AsyncGenerator<ExportFile> {
  const seen = new Set<string>();
  for (const url of urls) {
    const store = await storeFor(url, context);
    await store.check(folderOf(url));
    const files =
      /[*?]/.test(url) || url.endsWith('/') ? listed(url, store, signal) : isManifest(url) ? manifestFiles([url], store, signal) : one(url);
    for await (const file of files) {
      if (seen.has(file.url)) continue;
      seen.add(file.url);
      yield file;
    }
  }
}

async function* one(url: string): AsyncGenerator<ExportFile> {
  yield { url, ...periodOf(url) };
}

async function* listed(pattern: string, store: FileStore, signal: AbortSignal): AsyncGenerator<ExportFile> {
  const prefix = folderOf(pattern);
  const matches = /[*?]/.test(pattern) ? globMatcher(pattern) : () => true;
  const data: string[] = [];
  const manifests: string[] = [];
  for await (const entry of store.list(prefix, signal)) {
    if (!matches(entry.url) || hidden(entry.url.slice(prefix.length))) continue;
    (isManifest(entry.url) ? manifests : data).push(entry.url);
  }
  if (manifests.length > 0) {
    yield* manifestFiles(manifests, store, signal);
    return;
  }
  if (data.length === 0) throw new PluginError('ERROR_INVALID_PARAMETER', `${pattern}: no files there`);
  for (const url of data) yield { url, ...periodOf(url) };
}

/** A glob's static folder (up to the `/` before its first `*` or `?`); other URLs as they are. */
function folderOf(url: string): string {
  const glob = /[*?]/.exec(url);
  return glob ? url.slice(0, url.lastIndexOf('/', glob.index) + 1) : url;
}

/** Dot files and marker files (`_SUCCESS`, `*.crc`) that export tools leave beside the data. */
function hidden(relative: string): boolean {
  return relative.split('/').some((part) => part.startsWith('.') || part.startsWith('_')) || /\.crc$/i.test(relative);
}

/**
 * The files of the manifests, keeping per billing period only the shallowest manifests (the
 * legacy CUR copies each version's manifest into its own assembly folder under the current one).
 */
async function* manifestFiles(urls: string[], store: FileStore, signal: AbortSignal): AsyncGenerator<ExportFile> {
  const depth = (url: string) => new URL(url).pathname.split('/').length;
  const read = [];
  for (const url of urls) read.push({ url, manifest: await readManifest(url, store, signal) });
  const shallowest = new Map<string, number>();
  for (const { url, manifest } of read) {
    const period = `${manifest.firstMonth}..${manifest.lastMonth}`;
    shallowest.set(period, Math.min(shallowest.get(period) ?? Number.POSITIVE_INFINITY, depth(url)));
  }
  const used = read.filter(({ url, manifest }) => depth(url) === shallowest.get(`${manifest.firstMonth}..${manifest.lastMonth}`));
  const periods = new Map<string, string>();
  for (const { url, manifest } of used) {
    const period = `${manifest.firstMonth}..${manifest.lastMonth}`;
    if (manifest.firstMonth && periods.has(period) && urls.length > 1) {
      throw new PluginError(
        'ERROR_INVALID_PARAMETER',
        `${periods.get(period)} and ${url} are manifests of the same billing period (${manifest.firstMonth}); point base_url at one report's folder or manifest`,
      );
    }
    periods.set(period, url);
    for (const key of manifest.keys) {
      yield { url: dataFileUrl(url, key), firstMonth: manifest.firstMonth, lastMonth: manifest.lastMonth };
    }
  }
}

/** `*` (not `/`), `**` (anything), `?` (one character but `/`); the rest literal. */
function globMatcher(pattern: string): (url: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  return (url) => regex.test(url) || regex.test(decodeURI(url));
}

/** The billing period a path names, as AWS (`BILLING_PERIOD=2026-11`, `20261101-20261201`) and Azure (`20261101-20261130`) write it. */
export function periodOf(url: string): { firstMonth?: string; lastMonth?: string } {
  const path = decodeURI(new URL(url).pathname);
  const partition = /(?:^|\/)billing_period=(\d{4})-(\d{2})(?:\/|$)/i.exec(path);
  if (partition) return { firstMonth: `${partition[1]}-${partition[2]}`, lastMonth: `${partition[1]}-${partition[2]}` };
  const range = /(?:^|\/)(\d{4})(\d{2})(\d{2})-(\d{4})(\d{2})(\d{2})(?:\/|$)/.exec(path);
  if (!range) return {};
  const [, y1, m1, , y2, m2, d2] = range;
  const end = d2 === '01' ? new Date(Date.UTC(+y2, +m2 - 2, 1)) : new Date(Date.UTC(+y2, +m2 - 1, 1));
  const first = `${y1}-${m1}`;
  const last = end.toISOString().slice(0, 7);
  return last >= first ? { firstMonth: first, lastMonth: last } : {};
}
