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
import { COLUMNS, csv, type Line, lines, otherCase, TENANTS } from '../helpers/exports/oci.js';

/**
 * The oci-cost-report plugin over the generated cost reports of helpers/exports/oci.ts: gzip,
 * plain and another header case, the documented mapping, both cost measures, errors, and a sync.
 */
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
