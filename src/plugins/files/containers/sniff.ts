import { Readable } from 'node:stream';

/**
 * What a file's bytes are, told by its first bytes rather than its name (exports are renamed,
 * and HTTP servers send `.gz` without Content-Encoding): gzip, Parquet, other binary content,
 * or text. The stream it returns replays the bytes it looked at, then the rest as the reader
 * asks for them (Readable.from pulls: backpressure holds).
 */
export type Content = 'gzip' | 'parquet' | 'binary' | 'text';

const PARQUET = Buffer.from('PAR1');

export async function sniff(source: Readable): Promise<{ content: Content; bytes: Readable }> {
  const { head, bytes } = await peek(source, (seen) => seen.length > 0);
  return { content: kindOf(head), bytes };
}

/**
 * Reads chunks from `source` until `enough(head)` (or the end), and returns what it read and
 * a stream that replays it before the rest.
 */
export async function peek(source: Readable, enough: (head: Buffer) => boolean): Promise<{ head: Buffer; bytes: Readable }> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let head = Buffer.alloc(0);
  while (!enough(head)) {
    const next = await chunks.next();
    if (next.done) break;
    seen.push(Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value));
    head = Buffer.concat(seen);
  }
  const bytes = Readable.from(
    (async function* () {
      if (head.length > 0) yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield next.value;
    })(),
    { objectMode: false },
  );
  bytes.once('close', () => source.destroy());
  return { head, bytes };
}

export function kindOf(first: Uint8Array): Content {
  const head = Buffer.from(first.buffer, first.byteOffset, first.byteLength);
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.subarray(0, 4).equals(PARQUET)) return 'parquet';
  if (head.subarray(0, 4096).includes(0)) return 'binary';
  return 'text';
}

/** A decompression failure: the file is not the gzip it starts like (truncated or corrupt). */
export function isCorruptGzip(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && /^Z_(DATA|BUF)_ERROR$/.test(code);
}
