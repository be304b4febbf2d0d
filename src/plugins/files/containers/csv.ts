import { pipeline, type Readable } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { PluginError } from '../../plugin.js';

/**
 * The records of CSV text (header line first; values trimmed, a BOM skipped, empty lines
 * skipped), never holding more than the parser's buffer. A malformed line names its row.
 */
export async function* csvValues(text: Readable, url: string): AsyncGenerator<Record<string, string>> {
  const parser = parse({ columns: (names: string[]) => names.map((h) => h.trim()), bom: true, trim: true, skip_empty_lines: true });
  // pipeline (not pipe): an error of the source — a dropped connection, an abort — reaches the
  // parser and so the loop below, instead of being an unhandled 'error' event.
  pipeline(text, parser, () => {});
  let row = 0;
  try {
    for await (const values of parser as AsyncIterable<Record<string, string>>) {
      row++;
      yield values;
    }
  } catch (error) {
    if (error instanceof CsvError) throw new PluginError('ERROR_INVALID_CSV', `${url}: row ${row + 1}: ${error.message}`);
    throw error;
  } finally {
    parser.destroy();
  }
}
