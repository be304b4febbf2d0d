import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { PluginError } from '../../plugin.js';

/**
 * The records of CSV text (RFC 4180: a header line first; fields quoted with `"` may hold
 * commas, line breaks and `""`; LF or CRLF line ends), keyed by the header's names. Values are
 * trimmed outside quotes, a BOM is skipped, blank lines are skipped. A malformed line names its
 * row: an unclosed quote, text after a closing quote, a quote inside an unquoted field, a line
 * with more or fewer fields than the header.
 *
 * Billing exports are long and mostly unquoted, so a line without a quote is split natively
 * and only quoted lines are read character by character. Memory: one chunk, the line it ends
 * inside, and one record (at most MAX_RECORD_CHARS long).
 */
export async function* csvValues(text: Readable, url: string): AsyncGenerator<Record<string, string>> {
  const decoder = new StringDecoder('utf8');
  const reader = new CsvReader(url);
  try {
    for await (const chunk of text) yield* reader.push(decoder.write(chunk as Buffer), false);
    yield* reader.push(decoder.end(), true);
  } finally {
    text.destroy();
  }
}

/** The longest record read: a longer one is an error, not an unbounded buffer. */
export const MAX_RECORD_CHARS = 16 * 1024 * 1024;

/** Column names that would reach an object's prototype rather than its own keys. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

const isBlank = (code: number) => code === 32 || code === 9;
const trimmed = (field: string) =>
  field.length > 0 && (field.charCodeAt(0) <= 32 || field.charCodeAt(field.length - 1) <= 32) ? field.trim() : field;

class CsvReader {
  private pending = '';
  private header: string[] | undefined;
  /** Records read after the header: the number of the row a malformed line would be. */
  private rows = 0;
  private started = false;

  constructor(private readonly url: string) {}

  /** The records `chunk` completes; `final`: the text ends after it. */
  push(chunk: string, final: boolean): Record<string, string>[] {
    let data = this.pending + chunk;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    const out: Record<string, string>[] = [];
    const n = data.length;
    let at = 0;
    let nextQuote = -1;
    while (at < n) {
      const lineEnd = data.indexOf('\n', at);
      if (lineEnd === -1 && !final) break;
      const end = lineEnd === -1 ? n : lineEnd;
      if (nextQuote < at) nextQuote = data.indexOf('"', at);
      if (nextQuote === -1 || nextQuote >= end) {
        // A line without a quote: its fields are what lies between its commas.
        const stop = end > at && data.charCodeAt(end - 1) === CR ? end - 1 : end;
        const line = data.slice(at, stop);
        if (line.length > 0 && (line.charCodeAt(0) > 32 || line.trim() !== '')) {
          const fields = line.split(',');
          for (let i = 0; i < fields.length; i++) fields[i] = trimmed(fields[i]);
          this.record(fields, out);
        }
        at = lineEnd === -1 ? n : lineEnd + 1;
        if (nextQuote === -1) nextQuote = n;
        continue;
      }
      const quoted = this.quotedRecord(data, at, final);
      if (quoted === undefined) break;
      this.record(quoted.fields, out);
      at = quoted.next;
    }
    this.pending = data.slice(at);
    if (this.pending.length > MAX_RECORD_CHARS) this.fail(`a record is longer than ${MAX_RECORD_CHARS} characters`);
    if (final && this.pending.length > 0) this.fail('the file ends inside a record');
    return out;
  }

  /** A record with quoted fields starting at `start`; undefined when it ends in text not read yet. */
  private quotedRecord(data: string, start: number, final: boolean): { fields: string[]; next: number } | undefined {
    const n = data.length;
    const fields: string[] = [];
    let at = start;
    for (;;) {
      while (at < n && isBlank(data.charCodeAt(at))) at++;
      if (data.charCodeAt(at) === QUOTE) {
        let value = '';
        let from = at + 1;
        for (;;) {
          const close = data.indexOf('"', from);
          if (close === -1 || (close + 1 >= n && !final)) {
            if (final) this.fail('a quoted field is not closed');
            return undefined;
          }
          if (data.charCodeAt(close + 1) === QUOTE) {
            value += data.slice(from, close + 1);
            from = close + 2;
            continue;
          }
          value += data.slice(from, close);
          at = close + 1;
          break;
        }
        while (at < n && isBlank(data.charCodeAt(at))) at++;
        fields.push(value);
      } else {
        let end = at;
        while (end < n) {
          const code = data.charCodeAt(end);
          if (code === COMMA || code === LF) break;
          if (code === QUOTE) this.fail('a quote inside an unquoted field (quote the whole field, and double the quotes in it)');
          end++;
        }
        if (end >= n && !final) return undefined;
        const stop = end > at && data.charCodeAt(end - 1) === CR ? end - 1 : end;
        fields.push(trimmed(data.slice(at, stop)));
        at = end;
      }
      if (at >= n) return final ? { fields, next: n } : undefined;
      const code = data.charCodeAt(at);
      if (code === COMMA) at++;
      else if (code === LF) return { fields, next: at + 1 };
      else if (code === CR && at + 1 >= n && !final) return undefined;
      else if (code === CR && (at + 1 >= n || data.charCodeAt(at + 1) === LF)) return { fields, next: at + 2 };
      else this.fail('text after a closing quote (a field that holds a quote must be quoted whole, with the quote doubled)');
    }
  }

  private record(fields: string[], out: Record<string, string>[]): void {
    if (this.header === undefined) {
      for (const name of fields) {
        if (PROTOTYPE_KEYS.has(name)) this.fail(`the header names a column "${name}", which is not accepted as a column name`);
      }
      this.header = fields.map(trimmed);
      return;
    }
    const names = this.header;
    if (fields.length !== names.length) {
      this.fail(`the line has ${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${names.length}`);
    }
    this.rows++;
    const values: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) values[names[i]] = fields[i];
    out.push(values);
  }

  private fail(message: string): never {
    throw new PluginError('ERROR_INVALID_CSV', `${this.url}: row ${this.header === undefined ? 0 : this.rows + 1}: ${message}`);
  }
}
