import { createServer } from 'node:http';
import { gzipSync } from 'node:zlib';
import { parquetMetadata } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * Parquet billing exports written here with hyparquet-writer (FOCUS and AWS CUR 2.0, values
 * generated so that tests can compute counts and sums from them), and an HTTP server that
 * answers Range requests and records each request, to see how a reader fetched a file.
 */
/** The writer's own schema type: it depends on an older hyparquet than the reader. */
type SchemaElement = NonNullable<Parameters<typeof parquetWriteBuffer>[0]['schema']>[number];

export type Scalar = 'STRING' | 'DOUBLE' | 'INT64' | 'TIMESTAMP';

/** A column: a scalar type (nullable), or its schema elements (the column's own first). */
export interface Column {
  readonly name: string;
  readonly data: unknown[];
  readonly type: Scalar | SchemaElement[];
}

const SCALARS: Record<Scalar, Omit<SchemaElement, 'name'>> = {
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  DOUBLE: { type: 'DOUBLE' },
  INT64: { type: 'INT64' },
  TIMESTAMP: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' },
};

export interface WriteOptions {
  readonly rowGroupSize?: number;
  /** SNAPPY by default; GZIP is compressed with node:zlib, for a file a reader may refuse. */
  readonly codec?: 'SNAPPY' | 'UNCOMPRESSED' | 'GZIP';
}

export function parquetBytes(columns: Column[], { rowGroupSize = 64, codec = 'SNAPPY' }: WriteOptions = {}): Buffer {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const column of columns) {
    if (typeof column.type === 'string') schema.push({ name: column.name, repetition_type: 'OPTIONAL', ...SCALARS[column.type] });
    else schema.push(...column.type);
  }
  const buffer = parquetWriteBuffer({
    columnData: columns.map(({ name, data }) => ({ name, data })),
    schema,
    rowGroupSize,
    codec,
    compressors: codec === 'GZIP' ? { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) } : undefined,
  });
  return Buffer.from(buffer);
}

const text = (name: string, repetition: 'OPTIONAL' | 'REQUIRED' = 'OPTIONAL'): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: repetition,
});

/** MAP<STRING, STRING>; data as plain objects, or `[{key, value}]` for keys an object cannot hold. */
export const stringMap = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
  { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
  text('key', 'REQUIRED'),
  text('value'),
];

/** LIST<STRUCT<key STRING, value STRING>>, as BigQuery exports write labels. */
export const keyValueList = (name: string): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', repetition_type: 'OPTIONAL', num_children: 2 },
  text('key'),
  text('value'),
];

/** STRUCT of string fields. */
export const stringStruct = (name: string, fields: string[]): SchemaElement[] => [
  { name, repetition_type: 'OPTIONAL', num_children: fields.length },
  ...fields.map((field) => text(field)),
];

/** Each row group's column chunks as one byte span [start, end), from the file's footer. */
export function rowGroupSpans(bytes: Buffer): [number, number][] {
  const metadata = parquetMetadata(bytes);
  return metadata.row_groups.map((group) => {
    const chunks = group.columns.map((chunk) => {
      const meta = chunk.meta_data!;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      return [start, start + Number(meta.total_compressed_size)];
    });
    return [Math.min(...chunks.map(([start]) => start)), Math.max(...chunks.map(([, end]) => end))];
  });
}

export const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
const SERVICES = ['Amazon EC2', 'Virtual Machines', 'Compute Engine', 'Object Storage'];

export interface FocusLine {
  readonly start: Date;
  readonly billed: number;
  readonly effective: number | null;
  readonly subAccount: string | null;
  readonly service: string | null;
  readonly quantity: bigint | null;
  readonly tags: string | null;
}

/** FOCUS lines over July–September 2025: credits, month-end hours, and nulls in optional columns. */
export function focusLines(count: number): FocusLine[] {
  return Array.from({ length: count }, (_, i) => ({
    start: i % 97 === 0 ? new Date(Date.UTC(2025, 7 + (i % 3), 0, 23, 30)) : new Date(Date.UTC(2025, 6 + (i % 3), 1 + (i % 28), i % 24)),
    // Eighths add up exactly in binary floating point: sums can be compared with equal.
    billed: ((i % 23) - 3) / 8,
    effective: i % 7 === 0 ? null : (i % 19) / 8,
    subAccount: i % 11 === 0 ? null : ACCOUNTS[Math.floor(i / 3) % 3],
    service: i % 13 === 0 ? null : SERVICES[i % 4],
    quantity: i % 5 === 0 ? null : BigInt(i),
    tags: i % 4 === 0 ? null : JSON.stringify({ team: `t${i % 3}`, line: i }),
  }));
}

/** The billing account that FOCUS rows without a SubAccountId fall back to. */
export const BILLING_ACCOUNT = '999999999999';

/** ChargePeriodStart as a TIMESTAMP column, or as text (ISO with `T`/`Z` and with a space, no zone). */
export function focusParquet(lines: FocusLine[], timestamps: 'TIMESTAMP' | 'STRING', options?: WriteOptions): Buffer {
  const iso = (date: Date, i: number) => (i % 2 ? date.toISOString() : date.toISOString().slice(0, 19).replace('T', ' '));
  return parquetBytes(
    [
      timestamps === 'TIMESTAMP'
        ? { name: 'ChargePeriodStart', data: lines.map((l) => l.start), type: 'TIMESTAMP' }
        : { name: 'ChargePeriodStart', data: lines.map((l, i) => iso(l.start, i)), type: 'STRING' },
      { name: 'BilledCost', data: lines.map((l) => l.billed), type: 'DOUBLE' },
      { name: 'EffectiveCost', data: lines.map((l) => l.effective), type: 'DOUBLE' },
      { name: 'BillingCurrency', data: lines.map(() => 'USD'), type: 'STRING' },
      { name: 'BillingAccountId', data: lines.map(() => BILLING_ACCOUNT), type: 'STRING' },
      { name: 'SubAccountId', data: lines.map((l) => l.subAccount), type: 'STRING' },
      { name: 'ProviderName', data: lines.map((_, i) => (i % 2 ? 'AWS' : 'Microsoft')), type: 'STRING' },
      { name: 'ServiceName', data: lines.map((l) => l.service), type: 'STRING' },
      { name: 'ConsumedQuantity', data: lines.map((l) => l.quantity), type: 'INT64' },
      { name: 'Tags', data: lines.map((l) => l.tags), type: 'STRING' },
    ],
    options,
  );
}

export interface CurItem {
  readonly start: Date;
  readonly account: string;
  readonly type: string;
  readonly product: string;
  readonly cost: number;
  readonly amount: number | null;
  readonly tags: Record<string, string> | null;
}

const CUR_TYPES = ['Usage', 'Usage', 'Credit', 'Tax', 'Fee'];
const PRODUCTS = ['AmazonEC2', 'AmazonS3', 'AWSLambda'];

/** CUR 2.0 line items over July and August 2025, three accounts, resource tags as a MAP. */
export function curItems(count: number): CurItem[] {
  return Array.from({ length: count }, (_, i) => {
    const type = CUR_TYPES[i % CUR_TYPES.length];
    return {
      start: new Date(Date.UTC(2025, 6 + (i % 2), 1 + (i % 30), i % 24)),
      account: ACCOUNTS[i % 3],
      type,
      product: PRODUCTS[i % PRODUCTS.length],
      cost: type === 'Credit' ? -((i % 7) + 1) / 4 : ((i % 13) + 1) / 8,
      amount: type === 'Usage' ? (i % 9) + 1 : null,
      tags: i % 3 === 0 ? null : { 'user:team': `team-${i % 4}`, 'user:env': i % 2 ? 'prod' : 'dev' },
    };
  });
}

export function curParquet(items: CurItem[], options?: WriteOptions): Buffer {
  return parquetBytes(
    [
      { name: 'line_item_usage_start_date', data: items.map((i) => i.start), type: 'TIMESTAMP' },
      { name: 'line_item_usage_end_date', data: items.map((i) => new Date(i.start.getTime() + 3_600_000)), type: 'TIMESTAMP' },
      { name: 'bill_payer_account_id', data: items.map(() => '999999999999'), type: 'STRING' },
      { name: 'line_item_usage_account_id', data: items.map((i) => i.account), type: 'STRING' },
      { name: 'line_item_line_item_type', data: items.map((i) => i.type), type: 'STRING' },
      { name: 'line_item_product_code', data: items.map((i) => i.product), type: 'STRING' },
      { name: 'product_servicecode', data: items.map((i) => i.product), type: 'STRING' },
      { name: 'line_item_currency_code', data: items.map(() => 'USD'), type: 'STRING' },
      { name: 'line_item_unblended_cost', data: items.map((i) => i.cost), type: 'DOUBLE' },
      { name: 'line_item_usage_amount', data: items.map((i) => i.amount), type: 'DOUBLE' },
      { name: 'resource_tags', data: items.map((i) => i.tags), type: stringMap('resource_tags') },
    ],
    options,
  );
}

export interface RangeServer {
  readonly base: string;
  /** Every request: its path and Range header (absent for a plain GET). */
  readonly requests: { path: string; range?: string }[];
  close(): Promise<void>;
}

/** Serves `files` by path, honouring `Range: bytes=a-b` with 206 and Content-Range. */
export async function rangeServer(files: Record<string, Buffer>): Promise<RangeServer> {
  const requests: { path: string; range?: string }[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, range: req.headers.range });
    const body = Object.hasOwn(files, path) ? files[path] : undefined;
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    if (!range) {
      res.writeHead(200, { 'content-length': body.length }).end(body);
      return;
    }
    const start = Number(range[1]);
    const end = Math.min(Number(range[2]), body.length - 1);
    res.writeHead(206, { 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': end - start + 1 });
    res.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
