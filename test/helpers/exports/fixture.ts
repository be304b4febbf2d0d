import { gzipSync } from 'node:zlib';
import type { AccessPolicy } from '../../../src/plugins/access/policy.js';
import type { PluginClient, Struct } from '../../../src/plugins/plugin.js';
import { recordsParquet } from './records-parquet.js';

/**
 * One billing-export format's generated export, as the export-matrix test loads it from every
 * container and location: the records the provider's export writes (generated from the
 * format's public column list, with the real-world quirks its own test names), and the row
 * count and per-month, per-account cost sums computed from the generated values — never
 * through the plugin.
 */
export interface ExportFixture {
  /** The built-in plugin that reads the format. */
  readonly pluginId: string;
  readonly plugin: (access: AccessPolicy) => PluginClient;
  /** The data source's options beside `base_url` (its currency, its cost measure). */
  readonly options: Struct;
  /**
   * The records as the export writes them, column → value: text or numbers (undefined where
   * the export leaves a cell empty); objects and arrays for nested formats.
   */
  readonly records: readonly Record<string, unknown>[];
  /** The CSV file of the same records, as the provider writes it. */
  csv(): string;
  /** The JSON lines file, where the provider writes it otherwise than one record per line as is. */
  jsonLines?(): string;
  /** Rows the plugin gives for the whole file, and their cost per "YYYY-MM account". */
  readonly expected: { readonly rows: number; readonly sums: Record<string, number> };
}

/** A CSV cell: text as it is, quoted when it must be; nothing for undefined and null. */
export function csvCell(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV file: the header, then one line per record, in the order of `columns`. */
export function csvText(columns: readonly string[], records: readonly Record<string, unknown>[]): string {
  const lines = records.map((record) => columns.map((column) => csvCell(record[column])).join(','));
  return `${[columns.join(','), ...lines].join('\n')}\n`;
}

/** A column of a generated export: its name, and its cell for item `i` ('' or undefined: an empty cell). */
export type Column<T> = readonly [name: string, value: (item: T, i: number) => string | number | undefined];

/** The export's records: column → value, undefined where the cell is empty. */
export function columnRecords<T>(columns: readonly Column<T>[], list: readonly T[]): Record<string, string | number | undefined>[] {
  return list.map((item, i) =>
    Object.fromEntries(
      columns.map(([name, value]) => {
        const v = value(item, i);
        return [name, v === '' ? undefined : v];
      }),
    ),
  );
}

/** The export as a CSV file: the header (each name through `rename`), then the records. */
export function columnCsv<T>(columns: readonly Column<T>[], list: readonly T[], rename: (name: string) => string = (name) => name): string {
  const header = columns.map(([name]) => rename(name));
  const records = columnRecords(columns, list).map((record) => Object.fromEntries(columns.map(([name], k) => [header[k], record[name]])));
  return csvText(header, records);
}

/** JSON lines, one record per line; cells left empty are left out, as exporters do. */
export function jsonLinesText(records: readonly Record<string, unknown>[]): string {
  return `${records.map((record) => JSON.stringify(record)).join('\n')}\n`;
}

export type Container = 'csv' | 'csv.gz' | 'jsonl' | 'parquet';
export const CONTAINERS: readonly Container[] = ['csv', 'csv.gz', 'jsonl', 'parquet'];

/** The fixture's export in `container`: the bytes of the file. */
export function exportBytes(fixture: ExportFixture, container: Container): Buffer {
  switch (container) {
    case 'csv':
      return Buffer.from(fixture.csv());
    case 'csv.gz':
      return gzipSync(fixture.csv());
    case 'jsonl':
      return Buffer.from(fixture.jsonLines ? fixture.jsonLines() : jsonLinesText(fixture.records));
    case 'parquet':
      return recordsParquet(fixture.records, { rowGroupSize: 100 });
  }
}
