import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead, parquetSchema, type SchemaTree } from 'hyparquet';
import { isPrototypeKey } from '../../../query/input.js';
import { PluginError } from '../../plugin.js';
import type { FileStore } from '../store.js';

/**
 * The codecs hyparquet decodes on its own. The others (GZIP, ZSTD, BROTLI, LZ4, LZ4_RAW, LZO)
 * need a decompressor passed in; none is, so such a file is refused before any row is read.
 */
const CODECS: ReadonlySet<string> = new Set(['UNCOMPRESSED', 'SNAPPY']);

/**
 * The records of a Parquet file, read row group by row group through `store.range`: the footer
 * once, then one row group's column chunks at a time, its rows yielded before the next group is
 * fetched — memory holds one row group, never the file. The signal is checked before each group
 * is fetched and each row is yielded, and aborts the range read in flight.
 *
 * Values are as hyparquet decodes them: INT64 as bigint, timestamps and dates as Date, DECIMAL
 * as number, strings as string, STRUCT as a plain object, LIST as an array, MAP as a plain
 * object of its keys. A name that would reach an object's prototype (`__proto__`, `constructor`,
 * `prototype`) is refused, whether it names a column, a struct field or a map key.
 *
 * Failures are PluginErrors: a store's read error stays what the store said (a network failure
 * is transient), a file that is not whole or not readable Parquet is ERROR_INVALID_PARAMETER.
 */
export async function* parquetValues(url: string, store: FileStore, signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  const file = storeBuffer(url, store, await readStep(url, signal, () => store.size(url, signal)), signal);
  const metadata = await footer(url, file, signal);
  const schema = parquetSchema(metadata);
  checkSchema(url, schema);
  checkCodecs(url, metadata);
  const mapKeys = mapKeyPaths(schema);
  const nested = schema.children.filter((child) => child.children.length > 0).map((child) => child.element.name);
  const groups = metadata.row_groups.length;
  let rowStart = 0;
  for (const [index, group] of metadata.row_groups.entries()) {
    signal.throwIfAborted();
    const rowEnd = rowStart + Number(group.num_rows);
    const where = `${url}: row group ${index + 1} of ${groups} (rows ${rowStart + 1}–${rowEnd})`;
    if (rowEnd === rowStart) continue;
    let rows: Record<string, unknown>[] = [];
    try {
      await parquetRead({
        file,
        metadata,
        rowStart,
        rowEnd,
        rowFormat: 'object',
        onComplete: (read) => {
          rows = read;
        },
        // Pages come before assembly: a `__proto__` map key is still visible here, whereas once
        // hyparquet has assigned it to the map's object it is gone (or has become a prototype).
        onPage: mapKeys.size ? ({ pathInSchema, columnData }) => checkKeys(where, pathInSchema, columnData, mapKeys) : undefined,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof PluginError) throw error;
      throw new PluginError('ERROR_INVALID_PARAMETER', `${where} is not readable Parquet: ${(error as Error).message}`);
    }
    for (const [offset, row] of rows.entries()) {
      signal.throwIfAborted();
      for (const column of nested) checkObjects(row[column], `${url}: row ${rowStart + offset + 1}: ${column}`);
      yield row;
    }
    rowStart = rowEnd;
  }
}

/**
 * The store as hyparquet's AsyncBuffer: each slice is one `store.range`. An error that is not
 * already a PluginError is a failed read (a file removed meanwhile, an I/O error), transient
 * as records.ts treats it; keeping it apart from decoding errors keeps it from being called a
 * bad file.
 */
function storeBuffer(url: string, store: FileStore, size: number, signal: AbortSignal): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start, end = size) {
      const bytes = await readStep(url, signal, () => store.range(url, start, end, signal));
      if (bytes.byteLength !== end - start) {
        throw new PluginError(
          'ERROR_UNAVAILABLE',
          `${url}: bytes ${start}–${end} came back ${bytes.byteLength} bytes long; the file changed while it was read`,
          true,
        );
      }
      // hyparquet wants an ArrayBuffer of exactly the range, but a Buffer may be a view into a
      // shared pool (and Buffer#slice does not copy): copy unless the bytes are the whole buffer.
      const buffer = bytes.buffer as ArrayBuffer;
      return bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength
        ? buffer
        : buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    },
  };
}

async function readStep<T>(url: string, signal: AbortSignal, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof PluginError) throw error;
    throw new PluginError('ERROR_UNAVAILABLE', `${url}: reading failed: ${(error as Error).message}`, true);
  }
}

/** The footer (schema and row groups); a file cut short or not Parquet after all is named so. */
async function footer(url: string, file: AsyncBuffer, signal: AbortSignal): Promise<FileMetaData> {
  const incomplete = (why: string) => new PluginError('ERROR_INVALID_PARAMETER', `${url} is not a complete Parquet file: ${why}`);
  if (file.byteLength < 12) throw incomplete(`it is only ${file.byteLength} bytes long`);
  try {
    return await parquetMetadataAsync(file);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (error instanceof PluginError) throw error;
    const message = (error as Error).message;
    throw incomplete(
      /footer != PAR1/.test(message)
        ? 'it does not end with a Parquet footer (truncated, or still being written)'
        : `its footer is unreadable (${message})`,
    );
  }
}

/** Column and struct field names become object keys: none may name a prototype. */
function checkSchema(url: string, node: SchemaTree): void {
  for (const child of node.children) {
    if (isPrototypeKey(child.element.name)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: a column is named "${child.path.join('.')}", which is not allowed`);
    }
    checkSchema(url, child);
  }
}

function checkCodecs(url: string, metadata: FileMetaData): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const codec = chunk.meta_data?.codec;
      if (codec && !CODECS.has(codec)) {
        throw new PluginError(
          'ERROR_INVALID_PARAMETER',
          `${url}: column ${chunk.meta_data?.path_in_schema.join('.')} is compressed with ${codec}, which is not read; ` +
            'write the file with snappy compression or uncompressed',
        );
      }
    }
  }
}

/** The `key` leaf of every MAP (hyparquet's own test for a map: MAP, one repeated key_value group). */
function mapKeyPaths(node: SchemaTree, out = new Set<string>()): Set<string> {
  const entry = node.children[0];
  if (node.element.converted_type === 'MAP' && node.children.length === 1 && entry.element.repetition_type === 'REPEATED') {
    const key = entry.children.find((child) => child.element.name === 'key');
    if (key) out.add(key.path.join('.'));
  }
  for (const child of node.children) mapKeyPaths(child, out);
  return out;
}

/** Map keys in one page, lists nested as deep as the map is. */
function checkKeys(where: string, path: string[], data: ArrayLike<unknown>, mapKeys: ReadonlySet<string>): void {
  if (!mapKeys.has(path.join('.'))) return;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) for (const item of value) visit(item);
    else if (typeof value === 'string' && isPrototypeKey(value)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `${where}: ${path[0]} has a key named "${value}", which is not allowed`);
    }
  };
  for (let i = 0; i < data.length; i++) visit(data[i]);
}

/**
 * Every object in a nested value is a plain object with only safe own keys. Maps are checked
 * at their pages already; this also covers what hyparquet builds from inside a value (VARIANT).
 */
function checkObjects(value: unknown, where: string): void {
  if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return;
  if (Array.isArray(value)) {
    for (const item of value) checkObjects(item, where);
    return;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    throw new PluginError('ERROR_INVALID_PARAMETER', `${where} has a key named "__proto__", which is not allowed`);
  }
  for (const [key, item] of Object.entries(value)) {
    if (isPrototypeKey(key)) throw new PluginError('ERROR_INVALID_PARAMETER', `${where} has a key named "${key}", which is not allowed`);
    checkObjects(item, where);
  }
}
