import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PluginError } from '../plugin.js';

/**
 * What a file's bytes are, told by its first bytes rather than its name (exports are renamed,
 * and HTTP servers send `.gz` without Content-Encoding): gzip is decompressed on the fly, as a
 * stream; Parquet and other binary content are refused with an error that says what the file
 * is, instead of feeding binary to the CSV parser.
 */
const GZIP = [0x1f, 0x8b];
const PARQUET = Buffer.from('PAR1');

export async function textStream(source: Readable, url: string): Promise<Readable> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await chunks.next();
  if (head.done) return Readable.from([]);
  const first = Buffer.isBuffer(head.value) ? head.value : Buffer.from(head.value);
  // The first chunk, then the rest as the reader asks for it (Readable.from pulls: backpressure holds).
  const bytes = Readable.from(
    (async function* () {
      yield first;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  if (first.length >= 2 && first[0] === GZIP[0] && first[1] === GZIP[1]) {
    const gunzip = createGunzip();
    pipeline(bytes, gunzip, () => {});
    return gunzip;
  }
  if (first.subarray(0, 4).equals(PARQUET) || first.subarray(0, 4096).includes(0)) {
    bytes.destroy();
    source.destroy();
    throw new PluginError(
      'ERROR_INVALID_PARAMETER',
      first.subarray(0, 4).equals(PARQUET)
        ? `${url} is a Parquet file; this plugin reads CSV files (plain or gzip)`
        : `${url} holds binary content, not CSV text (plain or gzip)`,
    );
  }
  return bytes;
}

/** A decompression failure: the file is not the gzip it starts like (truncated or corrupt). */
export function isCorruptGzip(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^Z_(DATA|BUF)_ERROR$/.test(code);
}
