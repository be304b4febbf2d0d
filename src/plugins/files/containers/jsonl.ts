import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';
import { PluginError } from '../../plugin.js';

/**
 * The records of JSON lines text (one JSON object a line, as BigQuery exports newline-delimited
 * JSON): nested values stay nested. Blank lines are skipped; a line that is not a JSON object
 * names its row. JSON.parse makes `__proto__` an own key, never a prototype.
 */
export async function* jsonLines(text: Readable, url: string): AsyncGenerator<Record<string, unknown>> {
  // Closing readline early (a row error stops the read) removes its error listener from `text`,
  // which is still reading ahead and would then fail unheard; real read errors reach the loop
  // through readline while it runs.
  text.on('error', () => {});
  const lines = createInterface({ input: text, crlfDelay: Number.POSITIVE_INFINITY });
  let row = 0;
  try {
    for await (const line of lines) {
      const trimmed = row === 0 ? line.replace(/^\uFEFF/, '').trim() : line.trim();
      if (trimmed === '') continue;
      row++;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch (error) {
        throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: row ${row}: not JSON (${(error as Error).message})`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: row ${row}: a JSON lines row must be an object`);
      }
      yield value as Record<string, unknown>;
    }
  } finally {
    lines.close();
  }
}
