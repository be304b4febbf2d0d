/**
 * The COPY text of one batch, as bytes in a buffer that is used again for the next batch.
 * Each page's lines are written into it at once, so the row strings die young (cheap minor
 * collections) instead of piling up in old space until the batch is sent; a running task
 * keeps two of these, one filling while the other is being written.
 */
export class CopyBatch {
  private buffer: Buffer;
  private length = 0;
  rows = 0;

  constructor(initialBytes = 256 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends COPY lines (without their newlines). */
  append(lines: readonly string[]): void {
    for (const line of lines) {
      const most = line.length * 3 + 1; // UTF-8 bytes of a UTF-16 string, at most, and '\n'
      if (this.length + most > this.buffer.length) this.grow(this.length + most);
      this.length += this.buffer.write(line, this.length);
      this.buffer[this.length++] = 0x0a;
    }
    this.rows += lines.length;
  }

  /** The batch's bytes; valid until `clear`. */
  bytes(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }

  clear(): void {
    this.length = 0;
    this.rows = 0;
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}
