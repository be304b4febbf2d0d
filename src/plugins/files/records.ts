import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PluginError } from '../plugin.js';
import { csvValues } from './containers/csv.js';
import { jsonLines } from './containers/jsonl.js';
import { parquetValues } from './containers/parquet.js';
import { type Content, isCorruptGzip, peek, sniff } from './containers/sniff.js';
import type { FileStore } from './store.js';

/**
 * One record of an export file and its 1-based row number (a CSV header is row 0). `sparse`:
 * the file has no header (JSON lines), so a record leaves out the fields it has no value for.
 */
export interface FileRecord<Values = Record<string, unknown>> {
  readonly values: Values;
  readonly row: number;
  readonly sparse: boolean;
}

/**
 * Streams the records of one export file, whatever its container — CSV, JSON lines (either
 * plain or gzip, told by the bytes, not the name) or Parquet (row group by row group) — never
 * holding more than one parser buffer or one row group. Failures are PluginErrors: a network
 * failure is transient, a malformed file is not, and both name the file and the row.
 */
export async function* fileRecords(url: string, store: FileStore, signal: AbortSignal): AsyncGenerator<FileRecord> {
  const raw = await store.open(url, signal);
  const streams: Readable[] = [raw];
  const onAbort = () => {
    for (const stream of streams) stream.destroy(signal.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let row = 0;
  try {
    let { content, bytes } = await sniff(raw);
    streams.push(bytes);
    if (content === 'gzip') {
      const gunzip = createGunzip();
      pipeline(bytes, gunzip, () => {});
      ({ content, bytes } = await sniff(gunzip));
      streams.push(gunzip, bytes);
    }
    const { records, sparse } = await recordsOf(content, bytes, url, store, signal);
    for await (const values of records) {
      row++;
      yield { values, row, sparse };
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof PluginError) throw error;
    if (isCorruptGzip(error)) {
      throw new PluginError(
        'ERROR_INVALID_PARAMETER',
        `${url} is not a complete gzip file (after row ${row}): ${(error as Error).message}`,
      );
    }
    throw new PluginError('ERROR_UNAVAILABLE', `${url}: reading failed after row ${row}: ${(error as Error).message}`, true);
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const stream of streams) stream.destroy();
  }
}

interface Records {
  readonly records: AsyncIterable<Record<string, unknown>>;
  readonly sparse: boolean;
}

/** Parquet by its bytes; of text, JSON lines when the first character that is not a space or a BOM is `{`, CSV otherwise. */
async function recordsOf(content: Content, bytes: Readable, url: string, store: FileStore, signal: AbortSignal): Promise<Records> {
  if (content === 'parquet') {
    bytes.destroy();
    return { records: parquetValues(url, store, signal), sparse: false };
  }
  if (content === 'binary') {
    throw new PluginError('ERROR_INVALID_PARAMETER', `${url} holds binary content, not CSV, JSON lines or Parquet`);
  }
  const firstCharacter = (head: Buffer) =>
    head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart()
      .charAt(0);
  const { head, bytes: text } = await peek(bytes, (seen) => firstCharacter(seen) !== '' || seen.length > 65536);
  return firstCharacter(head) === '{' ? { records: jsonLines(text, url), sparse: true } : { records: csvValues(text, url), sparse: false };
}

/**
 * A record as flat text, for formats whose columns are scalars (CSV exports, and the same
 * exports as Parquet or JSON lines): numbers and booleans as written, timestamps as ISO 8601,
 * nested values (a CUR 2.0 `resource_tags` map) as JSON, nulls empty. `rename` gives a
 * column its format's name (cached: it runs once per distinct column name).
 */
export function flatRecord(values: Record<string, unknown>, rename: (name: string) => string): Record<string, string> {
  // CSV records are text already: when no column is renamed, the record is used as it is.
  let asIs = true;
  for (const key in values) {
    if (typeof values[key] !== 'string' || rename(key) !== key) {
      asIs = false;
      break;
    }
  }
  if (asIs) return values as Record<string, string>;
  const flat: Record<string, string> = {};
  for (const key of Object.keys(values)) flat[rename(key)] = flatValue(values[key]);
  return flat;
}

function flatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Map) return JSON.stringify(Object.fromEntries(value));
  return JSON.stringify(value, (_key, inner) => (typeof inner === 'bigint' ? String(inner) : inner));
}
