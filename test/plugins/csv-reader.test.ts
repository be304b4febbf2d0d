import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { csvValues } from '../../src/plugins/files/containers/csv.js';
import type { PluginError } from '../../src/plugins/plugin.js';

/**
 * The CSV reader of export files, by properties: any table written as CSV (any text in its
 * fields — commas, quotes, line breaks, non-ASCII — quoted where it must be, LF or CRLF line
 * ends) reads back as the same records however the bytes are split into chunks, even inside
 * a UTF-8 character; and csv-parse, read with the options the reader documents, agrees with
 * it. Malformed files fail with ERROR_INVALID_CSV naming the row.
 */
const read = async (chunks: Buffer[]): Promise<Record<string, string>[]> => {
  const out: Record<string, string>[] = [];
  for await (const record of csvValues(Readable.from(chunks), 'file:///bill.csv')) out.push(record);
  return out;
};
const readText = (text: string) => read([Buffer.from(text)]);

/** Splits `bytes` at the given fractions of its length (anywhere, inside characters too). */
const split = (bytes: Buffer, cuts: number[]) => {
  const at = [...new Set(cuts.map((cut) => Math.floor(cut * bytes.length)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => bytes.subarray(start, at[i] ?? bytes.length)).filter((chunk) => chunk.length > 0);
};

const field = (value: string, quoteAlways: boolean) =>
  quoteAlways || /[",\r\n]/.test(value) || value !== value.trim() || value === '' ? `"${value.replaceAll('"', '""')}"` : value;

const names = fc.uniqueArray(
  fc
    .string({ minLength: 1, maxLength: 12 })
    .filter((name) => name.trim() === name && !/[",\r\n]/.test(name) && !['__proto__', 'constructor', 'prototype'].includes(name)),
  { minLength: 1, maxLength: 6 },
);
const cell = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', 'NULL', '"quoted"', 'a,b', 'line\nbreak', 'crlf\r\nx', ' padded ', 'é€😀'),
);
const table = names.chain((header) =>
  fc.record({
    header: fc.constant(header),
    rows: fc.array(fc.array(cell, { minLength: header.length, maxLength: header.length }), { maxLength: 12 }),
    crlf: fc.boolean(),
    quoteAlways: fc.boolean(),
    bom: fc.boolean(),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
  }),
);
interface TableCase {
  header: string[];
  rows: string[][];
  crlf: boolean;
  quoteAlways: boolean;
  bom: boolean;
}
const write = ({ header, rows, crlf, quoteAlways, bom }: TableCase) =>
  (bom ? '\uFEFF' : '') + [header, ...rows].map((row) => row.map((v) => field(v, quoteAlways)).join(',')).join(crlf ? '\r\n' : '\n');
const asRecords = (header: string[], rows: string[][]) => rows.map((row) => Object.fromEntries(header.map((name, i) => [name, row[i]])));

describe('CSV reader', () => {
  test('any table written as CSV reads back as the same records, however the bytes are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const bytes = Buffer.from(write(t));
        assert.deepEqual(await read(split(bytes, t.cuts)), asRecords(t.header, t.rows));
      }),
      { numRuns: 300 },
    );
  });

  test('csv-parse, with trimming, a BOM and blank lines skipped, reads every such file alike', async () => {
    await fc.assert(
      fc.asyncProperty(table, async (t) => {
        const text = write(t);
        const oracle = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true }) as Record<string, string>[];
        assert.deepEqual(await readText(text), oracle);
      }),
      { numRuns: 300 },
    );
  });

  test('a BOM, blank lines, spaces around fields and a last line without a line end', async () => {
    assert.deepEqual(await readText('\uFEFFa , b\n\n 1, " two " \r\n\r\n3,4'), [
      { a: '1', b: ' two ' },
      { a: '3', b: '4' },
    ]);
    assert.deepEqual(await readText('a,b\n'), []);
    assert.deepEqual(await readText(''), []);
  });

  const refused = (pattern: RegExp) => (error: PluginError) => {
    assert.equal(error.code, 'ERROR_INVALID_CSV');
    assert.match(error.message, pattern);
    return true;
  };
  test('malformed lines fail with ERROR_INVALID_CSV naming the row and what is wrong', async () => {
    await assert.rejects(readText('a,b\n1,2\n3\n'), refused(/^file:\/\/\/bill\.csv: row 2: the line has 1 field, the header has 2$/));
    await assert.rejects(readText('a,b\n1,2,3\n'), refused(/row 1: the line has 3 fields, the header has 2/));
    await assert.rejects(readText('a,b\n1,"2\n3,4\n'), refused(/row 1: a quoted field is not closed/));
    await assert.rejects(readText('a,b\n1,"2"x\n'), refused(/row 1: text after a closing quote/));
    await assert.rejects(readText('a,b\n1,2\n3,x"y\n'), refused(/row 2: a quote inside an unquoted field/));
    await assert.rejects(readText('__proto__,b\n1,2\n'), refused(/row 0: the header names a column "__proto__"/));
  });
});
