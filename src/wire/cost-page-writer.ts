import { costNumber, type CostInfo } from '../plugins/plugin.js';

/**
 * Encodes a get_data page (`CostsInfo`) in two passes over the rows: the first validates and
 * measures every length-delimited part, in the order it will be written; the second writes
 * into one buffer of the exact size. No intermediate chunks, no copies, one allocation per
 * page — the plugin side of the stream spends most of its time here.
 *
 * Field numbers are those of spaceone.api.cost_analysis.plugin.CostInfo; Struct / Value /
 * ListValue as google/protobuf/struct.proto. Defaults are left out as proto3 does (a cost of
 * 0 is absent); tags, additional_info and data are always written, empty or not, as upstream
 * plugins send them.
 */
const STRINGS = [
  [3, 'usage_unit'],
  [4, 'provider'],
  [5, 'region_code'],
  [6, 'product'],
  [7, 'usage_type'],
  [8, 'resource'],
] as const;
const STRUCTS = [
  [12, 'tags'],
  [13, 'additional_info'],
  [14, 'data'],
] as const;
/** Written last: fields go out in field-number order, as every protobuf library writes them. */
const BILLED_DATE = 21;

const LEN = 2;
const BIT64 = 1;
const VARINT = 0;
const key = (field: number, wireType: number) => (field << 3) | wireType;
const varintSize = (n: number) => (n < 0x80 ? 1 : n < 0x4000 ? 2 : n < 0x200000 ? 3 : n < 0x10000000 ? 4 : 5);
/** Bytes of a length-delimited field with a one-byte tag and a body of `n` bytes. */
const delimited = (n: number) => 1 + varintSize(n) + n;

/** Checked in the first pass, so that a bad row is named before anything is written. */
function checkedNumber(row: CostInfo, name: 'cost' | 'usage_quantity', index: number): number {
  const parsed = costNumber(row[name]);
  if (Number.isNaN(parsed)) throw new TypeError(`row ${index + 1}: ${name} must be a number, got ${JSON.stringify(row[name])}`);
  return parsed;
}

const asText = (value: unknown): string | undefined =>
  value == null || value === '' ? undefined : typeof value === 'string' ? value : String(value);

export function encodeCostPage(rows: readonly CostInfo[]): Uint8Array {
  return new PageWriter().encode(rows);
}

class PageWriter {
  /** Byte lengths of messages and strings, in writing order (pass 1 appends, pass 2 reads). */
  private readonly lengths: number[] = [];
  private next = 0;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;

  encode(rows: readonly CostInfo[]): Uint8Array {
    let total = 0;
    for (let i = 0; i < rows.length; i++) total += delimited(this.sizeRow(rows[i], i));
    this.buf = Buffer.allocUnsafe(total);
    for (const row of rows) this.writeRow(row);
    if (this.pos !== total) throw new Error(`cost page: wrote ${this.pos} bytes of ${total}`);
    return this.buf;
  }

  // Pass 1: sizes.

  private reserve(): number {
    this.lengths.push(0);
    return this.lengths.length - 1;
  }

  private sizeString(value: string): number {
    const n = Buffer.byteLength(value, 'utf8');
    this.lengths.push(n);
    return n;
  }

  private sizeRow(row: CostInfo, index: number): number {
    const slot = this.reserve();
    let body = 0;
    if (row.cost != null && checkedNumber(row, 'cost', index) !== 0) body += 9;
    if (row.usage_quantity != null && checkedNumber(row, 'usage_quantity', index) !== 0) body += 9;
    for (const [, name] of STRINGS) {
      const text = asText(row[name]);
      if (text !== undefined) body += delimited(this.sizeString(text));
    }
    for (const [, name] of STRUCTS) {
      const value = row[name];
      const structSlot = this.reserve();
      const size = value && typeof value === 'object' ? this.sizeStruct(value as Record<string, unknown>) : 0;
      this.lengths[structSlot] = size;
      body += delimited(size);
    }
    const billedDate = asText(row.billed_date);
    if (billedDate !== undefined) body += 1 + delimited(this.sizeString(billedDate)); // a two-byte tag
    this.lengths[slot] = body;
    return body;
  }

  private sizeStruct(object: Record<string, unknown>): number {
    let body = 0;
    for (const name in object) {
      const value = object[name];
      if (value === undefined) continue;
      const entrySlot = this.reserve();
      const keySize = delimited(this.sizeString(name));
      const valueSlot = this.reserve();
      const valueSize = this.sizeValue(value);
      this.lengths[valueSlot] = valueSize;
      const entry = keySize + delimited(valueSize);
      this.lengths[entrySlot] = entry;
      body += delimited(entry);
    }
    return body;
  }

  /** Size of a Value's body. */
  private sizeValue(value: unknown): number {
    switch (typeof value) {
      case 'number':
      case 'bigint':
        return 9;
      case 'string':
        return delimited(this.sizeString(value));
      case 'boolean':
        return 2;
    }
    if (value === null || value === undefined) return 2;
    if (value instanceof Date) return delimited(this.sizeString(value.toISOString()));
    const slot = this.reserve();
    let body = 0;
    if (Array.isArray(value)) {
      for (const item of value) {
        const itemSlot = this.reserve();
        const size = this.sizeValue(item);
        this.lengths[itemSlot] = size;
        body += delimited(size);
      }
    } else {
      body = this.sizeStruct(value as Record<string, unknown>);
    }
    this.lengths[slot] = body;
    return delimited(body);
  }

  // Pass 2: bytes.

  private varint(n: number): void {
    while (n > 0x7f) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  /** A tag and the next recorded length. */
  private open(field: number): void {
    this.varint(key(field, LEN));
    this.varint(this.lengths[this.next++]);
  }

  private string(field: number, value: string): void {
    const n = this.lengths[this.next++];
    this.varint(key(field, LEN));
    this.varint(n);
    if (n === value.length && n < 48) {
      // ASCII (byte length equals UTF-16 length only then): copy it without a native call.
      for (let i = 0; i < n; i++) this.buf[this.pos + i] = value.charCodeAt(i);
    } else {
      this.buf.write(value, this.pos, n, 'utf8');
    }
    this.pos += n;
  }

  private double(field: number, value: number): void {
    this.varint(key(field, BIT64));
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  private writeRow(row: CostInfo): void {
    this.open(1);
    const cost = row.cost == null ? 0 : costNumber(row.cost);
    if (cost !== 0) this.double(1, cost);
    const quantity = row.usage_quantity == null ? 0 : costNumber(row.usage_quantity);
    if (quantity !== 0) this.double(2, quantity);
    for (const [field, name] of STRINGS) {
      const text = asText(row[name]);
      if (text !== undefined) this.string(field, text);
    }
    for (const [field, name] of STRUCTS) {
      this.open(field);
      const value = row[name];
      if (value && typeof value === 'object') this.writeStruct(value as Record<string, unknown>);
    }
    const billedDate = asText(row.billed_date);
    if (billedDate !== undefined) this.string(BILLED_DATE, billedDate);
  }

  private writeStruct(object: Record<string, unknown>): void {
    for (const name in object) {
      const value = object[name];
      if (value === undefined) continue;
      this.open(1);
      this.string(1, name);
      this.open(2);
      this.writeValue(value);
    }
  }

  private writeValue(value: unknown): void {
    switch (typeof value) {
      case 'number':
        this.double(2, value);
        return;
      case 'bigint':
        this.double(2, Number(value));
        return;
      case 'string':
        this.string(3, value);
        return;
      case 'boolean':
        this.varint(key(4, VARINT));
        this.varint(value ? 1 : 0);
        return;
    }
    if (value === null || value === undefined) {
      this.varint(key(1, VARINT));
      this.varint(0);
    } else if (value instanceof Date) {
      this.string(3, value.toISOString());
    } else if (Array.isArray(value)) {
      this.open(6);
      for (const item of value) {
        this.open(1);
        this.writeValue(item);
      }
    } else {
      this.open(5);
      this.writeStruct(value as Record<string, unknown>);
    }
  }
}
