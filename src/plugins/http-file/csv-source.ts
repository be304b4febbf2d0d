import { pipeline } from 'node:stream';
import { parse, CsvError } from 'csv-parse';
import { openUrl } from '../access/open-url.js';
import type { AccessPolicy } from '../access/policy.js';
import { PluginError } from '../plugin.js';
import { isCorruptGzip, textStream } from './content.js';

/** One CSV record: header → value (trimmed), and its 1-based row number (the header is row 0). */
export interface CsvRecord {
  readonly values: Record<string, string>;
  readonly row: number;
}

/**
 * Streams the records of a CSV file (plain or gzip, content.ts) at an `http(s)://` or `file://`
 * URL that the access policy lets plugins reach, never holding more than a parser buffer in memory. Unreachable files and bad CSV are PluginErrors: a server
 * error or a network failure is transient, a 4xx or a malformed line is not, and a malformed
 * line names its row.
 */
export async function* csvRecords(
  url: string,
  access: AccessPolicy,
  signal: AbortSignal,
  header: (names: string[]) => string[] = (names) => names,
): AsyncGenerator<CsvRecord> {
  const raw = await openUrl(url, access, signal);
  const source = await textStream(raw, url).catch((error: unknown) => {
    raw.destroy();
    throw error instanceof PluginError ? error : unavailable(url, 0, error);
  });
  const parser = parse({ columns: (names: string[]) => header(names.map((h) => h.trim())), bom: true, trim: true, skip_empty_lines: true });
  // pipeline (not pipe): an error of the source — a dropped connection, an abort — reaches the
  // parser and so the loop below, instead of being an unhandled 'error' event.
  pipeline(source, parser, () => {});
  const onAbort = () => {
    raw.destroy(signal.reason);
    source.destroy(signal.reason);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  let row = 0;
  try {
    for await (const values of parser as AsyncIterable<Record<string, string>>) {
      row++;
      yield { values, row };
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof CsvError) throw new PluginError('ERROR_INVALID_CSV', `${url}: row ${row + 1}: ${error.message}`);
    if (error instanceof PluginError) throw error;
    if (isCorruptGzip(error)) {
      throw new PluginError(
        'ERROR_INVALID_PARAMETER',
        `${url} is not a complete gzip file (after row ${row}): ${(error as Error).message}`,
      );
    }
    throw unavailable(url, row, error);
  } finally {
    signal.removeEventListener('abort', onAbort);
    source.destroy();
    raw.destroy();
  }
}

function unavailable(url: string, row: number, error: unknown): PluginError {
  return new PluginError('ERROR_UNAVAILABLE', `${url}: reading failed after row ${row}: ${(error as Error).message}`, true);
}

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
