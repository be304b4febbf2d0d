import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createGzip } from 'node:zlib';
import { parquetWriteFile } from 'hyparquet-writer';
import { daysInMonth } from '../src/domain/time.js';

/**
 * A FOCUS 1.0 export of `rows` line items in one month, split into `files` files as providers
 * split theirs, written twice with the same rows: gzip CSV and Parquet (snappy, 100,000-row
 * groups). Written before anything is timed; returns the two folders.
 */
export const FOCUS_COLUMNS = [
  'BillingAccountId',
  'SubAccountId',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'BilledCost',
  'EffectiveCost',
  'BillingCurrency',
  'ProviderName',
  'ServiceName',
  'RegionId',
  'ResourceId',
  'SkuId',
  'ConsumedQuantity',
  'ConsumedUnit',
  'Tags',
] as const;

const SERVICES = ['Amazon EC2', 'Amazon S3', 'Amazon RDS', 'AWS Lambda', 'Amazon CloudFront'];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-2'];

function row(month: string, i: number): string[] {
  const days = daysInMonth(month);
  const day = String(1 + (i % days)).padStart(2, '0');
  const hour = String(i % 24).padStart(2, '0');
  const cost = ((i % 997) / 100).toFixed(4);
  return [
    '999999999999',
    String(100000000000 + (i % 10)),
    `${month}-${day}T${hour}:00:00Z`,
    `${month}-${day}T${hour}:59:59Z`,
    'Usage',
    cost,
    cost,
    'USD',
    'AWS',
    SERVICES[i % SERVICES.length],
    REGIONS[i % REGIONS.length],
    `arn:aws:ec2:us-east-1:1:instance/i-${(i % 50_000).toString(16).padStart(8, '0')}`,
    `SKU${i % 400}`,
    String((i % 24) + 1),
    'Hrs',
    i % 3 === 0 ? `{"team":"t${i % 7}","env":"prod"}` : '',
  ];
}

const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export async function writeFocusExport(dir: string, month: string, rows: number, files: number): Promise<{ csv: string; parquet: string }> {
  const per = Math.ceil(rows / files);
  const csvDir = join(dir, 'csv');
  const parquetDir = join(dir, 'parquet');
  mkdirSync(csvDir, { recursive: true });
  mkdirSync(parquetDir, { recursive: true });
  for (let f = 0; f < files; f++) {
    const from = f * per;
    const to = Math.min(rows, from + per);
    const gzip = createGzip();
    const out = createWriteStream(join(csvDir, `part-${f}.csv.gz`));
    gzip.pipe(out);
    gzip.write(`${FOCUS_COLUMNS.join(',')}\n`);
    const columns: string[][] = FOCUS_COLUMNS.map(() => []);
    for (let i = from; i < to; i++) {
      const values = row(month, i);
      if (!gzip.write(`${values.map(cell).join(',')}\n`)) await once(gzip, 'drain');
      for (let c = 0; c < values.length; c++) columns[c].push(values[c]);
    }
    gzip.end();
    await once(out, 'finish');
    parquetWriteFile({
      filename: join(parquetDir, `part-${f}.parquet`),
      rowGroupSize: 100_000,
      columnData: FOCUS_COLUMNS.map((name, c) => ({
        name,
        type: /Cost|Quantity/.test(name) ? ('DOUBLE' as const) : ('STRING' as const),
        data: /Cost|Quantity/.test(name) ? columns[c].map(Number) : columns[c].map((v) => (v === '' ? null : v)),
      })),
    });
  }
  return { csv: csvDir, parquet: parquetDir };
}
