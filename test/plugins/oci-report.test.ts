import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeOciReportPlugin } from '../../src/plugins/oci-report/plugin.js';
import type { PluginError } from '../../src/plugins/plugin.js';
import { BACKENDS } from '../helpers/backends.js';
import { collectMonth, publishedSums, sums } from '../helpers/export-sums.js';

/**
 * OCI cost reports, generated here from Oracle's column list: hourly lines in three tenancies
 * over two months, overage lines, corrections (reversals of earlier lines, naming them), defined
 * and free-form tag columns, lines without a region or a resource, one line whose hour ends in
 * the next month — as gzip CSV (as Oracle delivers them), plain CSV, and with the header in
 * another case. Sums per month and tenancy are computed from the generated lines.
 */
interface Line {
  ref: string;
  tenant: string;
  start: string;
  end: string;
  service: string;
  compartment: string;
  region: string;
  resourceId: string;
  sku: string;
  description: string;
  quantity: number;
  quantityOverage?: number;
  unitPrice: number;
  myCost: number;
  myCostOverage?: number;
  correctionOf?: string;
  tags: Record<string, string>;
}

const TENANTS = ['ocid1.tenancy.oc1..aaaa1', 'ocid1.tenancy.oc1..aaaa2', 'ocid1.tenancy.oc1..aaaa3'];
const SKUS: [string, string, string][] = [
  ['B93113', 'Compute - Standard - E4 - OCPU', 'COMPUTE'],
  ['B91961', 'Storage - Block Volume - Storage', 'BLOCK_STORAGE'],
  ['B88327', 'Networking - Outbound Data Transfer', 'NETWORK'],
];
const round = (n: number) => Math.round(n * 1e6) / 1e6;
const hour = (h: number) => String(h).padStart(2, '0');

function lines(): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < 240; i++) {
    const [sku, description, service] = SKUS[i % 3];
    const month = i % 2 === 0 ? '2025-07' : '2025-08';
    const day = String(1 + (i % 28)).padStart(2, '0');
    // One hour that ends in August: billed to July, the month it starts in.
    const start = i === 2 ? '2025-07-31T23:00Z' : `${month}-${day}T${hour(i % 24)}:00Z`;
    const end = i === 2 ? '2025-08-01T00:00Z' : `${month}-${day}T${hour(i % 24)}:59Z`;
    const quantity = (i % 11) + 1;
    const unitPrice = [0.0425, 0.0255, 0.0085][i % 3];
    const line: Line = {
      ref: `ref-${i}`,
      tenant: TENANTS[i % 3],
      start,
      end,
      service,
      compartment: `ocid1.compartment.oc1..c${i % 4}`,
      region: i % 9 === 0 ? '' : ['us-ashburn-1', 'eu-frankfurt-1'][i % 2],
      resourceId: i % 8 === 0 ? '' : `ocid1.instance.oc1.iad.r${i}`,
      sku,
      description,
      quantity,
      unitPrice,
      myCost: round(quantity * unitPrice),
      ...(i % 6 === 5 ? { quantityOverage: 1, myCostOverage: unitPrice } : {}),
      tags: {
        ...(i % 2 === 0 ? { 'Oracle-Tags.CreatedBy': `user${i % 3}@example.com` } : {}),
        ...(i % 4 === 1 ? { team: 'data' } : {}),
      },
    };
    // A correction reverses an earlier line of the same month (18 lines back), in that line's tenancy and hour.
    if (i % 20 === 19)
      Object.assign(line, {
        myCost: -out[i - 18].myCost,
        correctionOf: out[i - 18].ref,
        tenant: out[i - 18].tenant,
        start: out[i - 18].start,
      });
    out.push(line);
  }
  return out;
}

type Column = [string, (l: Line) => string | number | undefined];
const COLUMNS: Column[] = [
  ['lineItem/referenceNo', (l) => l.ref],
  ['lineItem/tenantId', (l) => l.tenant],
  ['lineItem/intervalUsageStart', (l) => l.start],
  ['lineItem/intervalUsageEnd', (l) => l.end],
  ['product/service', (l) => l.service],
  ['product/resource', (l) => `PIC_${l.service}`],
  ['product/compartmentId', (l) => l.compartment],
  ['product/compartmentName', (l) => `team-${l.compartment.slice(-1)}`],
  ['product/region', (l) => l.region],
  ['product/availabilityDomain', (l) => (l.region ? 'AD-1' : '')],
  ['product/resourceId', (l) => l.resourceId],
  ['usage/billedQuantity', (l) => l.quantity],
  ['usage/billedQuantityOverage', (l) => l.quantityOverage],
  ['cost/subscriptionId', () => '12345678'],
  ['cost/productSku', (l) => l.sku],
  ['product/Description', (l) => l.description],
  ['cost/unitPrice', (l) => l.unitPrice],
  ['cost/unitPriceOverage', (l) => (l.myCostOverage === undefined ? undefined : l.unitPrice)],
  ['cost/myCost', (l) => l.myCost],
  ['cost/myCostOverage', (l) => l.myCostOverage],
  ['cost/currencyCode', () => 'USD'],
  ['cost/billingUnitReadable', () => 'OCPU HOURS'],
  ['cost/skuUnitDescription', () => 'OCPU Per Hour'],
  ['cost/overageFlag', (l) => (l.myCostOverage === undefined ? 'N' : 'Y')],
  ['lineItem/isCorrection', (l) => (l.correctionOf ? 'true' : 'false')],
  ['lineItem/backreferenceNo', (l) => l.correctionOf],
  ['tags/Oracle-Tags.CreatedBy', (l) => l.tags['Oracle-Tags.CreatedBy']],
  ['tags/team', (l) => l.tags.team],
];

function csv(columns: Column[], list: Line[], rename: (name: string) => string = (name) => name): string {
  const cell = (v: string | number | undefined) => {
    const text = v === undefined ? '' : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  const header = columns.map(([name]) => rename(name)).join(',');
  return `${[header, ...list.map((l) => columns.map(([, value]) => cell(value(l))).join(','))].join('\n')}\n`;
}

/** The same header as older reports and other tools spell it. */
const otherCase = (name: string) =>
  name === 'lineItem/tenantId'
    ? 'lineItem/TenantId'
    : name === 'product/Description'
      ? 'product/description'
      : name.startsWith('tags/')
        ? name
        : name.toUpperCase();

describe('oci-cost-report plugin', () => {
  let dir: string;
  const LINES = lines();
  const plugin = () => makeOciReportPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const collect = (name: string, month: string, options: Record<string, unknown> = {}) => collectMonth(plugin(), url(name), month, options);
  const both = async (name: string, options: Record<string, unknown> = {}) => [
    ...(await collect(name, '2025-07', options)),
    ...(await collect(name, '2025-08', options)),
  ];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-oci-'));
    writeFileSync(join(dir, 'report.csv.gz'), gzipSync(csv(COLUMNS, LINES)));
    writeFileSync(join(dir, 'report.csv'), csv(COLUMNS, LINES));
    writeFileSync(join(dir, 'other-case.csv'), csv(COLUMNS, LINES, otherCase));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plans one task per file and month; gzip, plain and another header case give the same rows', async () => {
    const plan = await plugin().getTasks({ options: { base_url: url('report.csv.gz') }, secret_data: {}, domain_id: 'd' });
    assert.deepEqual(
      plan.tasks.map((t) => [t.task_options.month, t.task_changed]),
      [
        ['2025-07', { start: '2025-07', end: '2025-07' }],
        ['2025-08', { start: '2025-08', end: '2025-08' }],
      ],
    );
    const gzip = await both('report.csv.gz');
    assert.equal((await collect('report.csv.gz', '2025-07')).length, LINES.filter((l) => l.start.startsWith('2025-07')).length);
    assert.equal(gzip.length, LINES.length, 'every line, corrections included');
    assert.deepEqual(await both('report.csv'), gzip);
    assert.deepEqual(await both('other-case.csv'), gzip);
  });

  test('each line maps as documented: corrections, overage, tags, empty values', async () => {
    const rows = await both('report.csv.gz');
    const byRef = new Map(rows.map((r) => [r.additional_info?.['Reference No'], r]));
    const plain = byRef.get('ref-6')!;
    assert.deepEqual(
      [
        plain.provider,
        plain.billed_date,
        plain.cost,
        plain.usage_quantity,
        plain.usage_unit,
        plain.region_code,
        plain.product,
        plain.usage_type,
        plain.resource,
      ],
      [
        'oci',
        '2025-07-07',
        LINES[6].myCost,
        7,
        'OCPU HOURS',
        'us-ashburn-1',
        'COMPUTE',
        'B93113 Compute - Standard - E4 - OCPU',
        'ocid1.instance.oc1.iad.r6',
      ],
    );
    assert.deepEqual(plain.tags, { 'Oracle-Tags.CreatedBy': 'user0@example.com' }, 'the tag key keeps its namespace and case');
    assert.deepEqual(
      [
        plain.additional_info?.['Account ID'],
        plain.additional_info?.['Compartment Id'],
        plain.additional_info?.['Product SKU'],
        plain.additional_info?.Correction,
      ],
      [TENANTS[0], 'ocid1.compartment.oc1..c2', 'B93113', undefined],
    );
    const correction = byRef.get('ref-19')!;
    assert.ok(correction.cost! < 0, 'a correction keeps its sign');
    assert.deepEqual([correction.additional_info?.Correction, correction.additional_info?.['Back Reference No']], ['true', 'ref-1']);
    const overage = byRef.get('ref-5')!;
    assert.deepEqual([overage.data?.['cost/myCostOverage'], overage.additional_info?.['Overage Flag']], [LINES[5].unitPrice, 'Y']);
    assert.equal(byRef.get('ref-2')!.billed_date, '2025-07-31', 'an hour that ends in August is July’s');
    const bare = byRef.get('ref-72')!;
    assert.deepEqual([bare.region_code, bare.resource, bare.additional_info?.['Availability Domain']], [undefined, undefined, undefined]);
    assert.deepEqual(byRef.get('ref-1')!.tags, { team: 'data' }, 'a free-form tag is its key');
  });

  for (const measure of ['my_cost', 'my_cost_overage'] as const) {
    test(`cost_measure ${measure}: sums per month and tenancy equal the lines'`, async () => {
      const cost = (l: Line) => (measure === 'my_cost' ? l.myCost : (l.myCostOverage ?? 0));
      const expected = sums(LINES.map((l) => ({ cost: cost(l), month: l.start.slice(0, 7), account: l.tenant })));
      const rows = await both('report.csv.gz', { cost_measure: measure });
      const got = sums(
        rows.map((r) => ({ cost: r.cost, month: r.billed_date!.slice(0, 7), account: String(r.additional_info?.['Account ID']) })),
      );
      assert.deepEqual(got, expected);
    });
  }

  test('another currency, a bad option, a missing start column, a bad number and a bad tag column are clear errors', async () => {
    writeFileSync(join(dir, 'eur.csv'), csv(COLUMNS, LINES.slice(0, 1)).replace(',USD,', ',EUR,'));
    await assert.rejects(
      collect('eur.csv', '2025-07'),
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' && /row 1: cost\/currencyCode is EUR, the data source's currency is USD/.test(e.message),
    );
    assert.equal((await collect('eur.csv', '2025-07', { currency: 'EUR' })).length, 1);
    await assert.rejects(
      plugin().verify({ options: { base_url: url('report.csv'), cost_measure: 'list' }, secret_data: {}, domain_id: 'd' }),
      /cost_measure must be one of my_cost, my_cost_overage/,
    );
    writeFileSync(join(dir, 'no-start.csv'), 'cost/myCost\n1\n');
    await assert.rejects(
      plugin().getTasks({ options: { base_url: url('no-start.csv') }, secret_data: {}, domain_id: 'd' }),
      /row 1: Required parameter\. \(key = lineItem\/intervalUsageStart\)/,
    );
    writeFileSync(join(dir, 'no-cost.csv'), 'lineItem/intervalUsageStart,cost/myCostOverage\n2025-07-01T00:00Z,1\n');
    await assert.rejects(collect('no-cost.csv', '2025-07'), /row 1: Required parameter\. \(key = cost\/myCost\)/);
    writeFileSync(join(dir, 'bad-number.csv'), 'lineItem/intervalUsageStart,cost/myCost\n2025-07-01T00:00Z,1\n2025-07-01T01:00Z,n/a\n');
    await assert.rejects(collect('bad-number.csv', '2025-07'), /row 2: cost\/myCost "n\/a" is not a number/);
    writeFileSync(join(dir, 'proto.csv'), 'lineItem/intervalUsageStart,cost/myCost,tags/__proto__\n2025-07-01T00:00Z,1,x\n');
    await assert.rejects(collect('proto.csv', '2025-07'), /row 1: a tag column is named "tags\/__proto__"/);
  });

  for (const backend of BACKENDS) {
    test(`through the engine (${backend}): a sync of a gzip cost report publishes the sums per month and tenancy`, async () => {
      const published = await publishedSums(backend, 'oci-cost-report', plugin(), { base_url: [url('report.csv.gz')] });
      assert.deepEqual(published, sums(LINES.map((l) => ({ cost: l.myCost, month: l.start.slice(0, 7), account: l.tenant }))));
    });
  }
});
