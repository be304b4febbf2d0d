import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { chargeDay } from '../../src/plugins/exports/values.js';
import { gcpDay, gcpRow, gcpSettings } from '../../src/plugins/gcp-billing/gcp-row.js';
import { makeGcpBillingPlugin } from '../../src/plugins/gcp-billing/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { collectMonth, sums } from '../helpers/export-sums.js';
import { BACKENDS, openTestStore } from '../helpers/backends.js';
import { insertDataSource, makeTestEngine, testPlugins } from '../helpers/engine-fixture.js';
import { ACCOUNT, type Item, type Json, flatCsv, items, jsonLines, label } from '../helpers/exports/gcp.js';

/**
 * The Cloud Billing export plugin over the generated exports of helpers/exports/gcp.ts: the
 * standard table as JSON lines (nulls omitted) and underscore-named CSV, the detailed one as
 * gzip JSON lines (nulls written) and dotted CSV; sums per month and project.
 */
const round = (n: number) => Math.round(n * 1e9) / 1e9;

describe('gcp-billing-export plugin', () => {
  let dir: string;
  const ITEMS = items();
  const STANDARD = ITEMS.filter((i) => !i.detailed);
  const DETAILED = ITEMS.filter((i) => i.detailed);
  const plugin = () => makeGcpBillingPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const collect = (name: string, month: string, options: Record<string, unknown> = {}) => collectMonth(plugin(), url(name), month, options);
  const all = async (name: string, options = {}) =>
    (await collect(name, '2025-07', options)).concat(await collect(name, '2025-08', options));
  const expected = (credits: boolean) =>
    sums(
      ITEMS.map((i) => ({ ...i, cost: i.cost + (credits ? i.credits : 0) })),
      1e9,
    );
  const bySku = (rows: CostInfo[], sku: string) => rows.filter((r) => r.additional_info?.['SKU ID'] === sku);
  const tasks = (base_url: string | string[]) => plugin().getTasks({ options: { base_url }, secret_data: {}, domain_id: 'd' });
  const FILES = [
    [STANDARD, 'standard.json', 'standard.csv'],
    [DETAILED, 'detailed.json.gz', 'detailed.csv.gz'],
  ] as const;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-gcp-'));
    writeFileSync(join(dir, 'standard.json'), jsonLines(STANDARD, true));
    writeFileSync(join(dir, 'detailed.json.gz'), gzipSync(jsonLines(DETAILED, false)));
    writeFileSync(join(dir, 'standard.csv'), flatCsv(STANDARD, false));
    writeFileSync(join(dir, 'detailed.csv.gz'), gzipSync(flatCsv(DETAILED, true)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("chargeDay reads BigQuery's `… UTC` timestamps and keeps every other spelling", () => {
    const day = (value: string) => chargeDay(value, 'usage_start_time', 4);
    assert.equal(day('2025-07-31 23:59:59 UTC'), '2025-07-31');
    assert.equal(day('2025-08-01 00:00:00.123456 UTC'), '2025-08-01');
    assert.equal(day('2025-08-01 00:00:00utc'), '2025-08-01');
    assert.equal(day('2025-08-01T01:00:00+02:00'), '2025-07-31');
    assert.equal(day('2025-08-01T00:00:00.000Z'), '2025-08-01');
    assert.equal(day('08/31/2025 11:00 PM'), '2025-08-31');
    assert.throws(() => day('2025-08-01 00:00:00 PST'), /row 4: usage_start_time "2025-08-01 00:00:00 PST" is not a date-time/);
  });

  test('plans one task per file and month of usage start; every container gives the same rows', async () => {
    const plan = await tasks([url('standard.json'), url('detailed.json.gz')]);
    const planned = plan.tasks.map((t) => `${String(t.task_options.base_url).split('/').pop()} ${t.task_options.month}`);
    assert.deepEqual(planned, ['standard.json 2025-07', 'standard.json 2025-08', 'detailed.json.gz 2025-07', 'detailed.json.gz 2025-08']);
    assert.ok(plan.tasks.every((t) => t.task_changed?.start === t.task_options.month && t.task_changed?.end === t.task_options.month));
    for (const [list, json, csv] of FILES) {
      for (const month of ['2025-07', '2025-08']) {
        const rows = await collect(json, month);
        assert.equal(rows.length, list.filter((i) => i.month === month).length, `${json} ${month}`);
        assert.deepEqual(await collect(csv, month), rows, `${csv} ${month}: the flattened CSV reads as the nested rows`);
      }
    }
    assert.equal(bySku(await collect('standard.json', '2025-07'), 'SKU-320').length, 1, 'the hour that ends in August is July’s');
    assert.equal(bySku(await collect('standard.json', '2025-08'), 'SKU-320').length, 0);
    const late = bySku(await collect('detailed.json.gz', '2025-07'), 'SKU-321');
    assert.deepEqual(
      late.map((r) => r.additional_info?.['Invoice Month']),
      ['202508'],
      'invoiced in August, used in July',
    );
  });

  test('a detailed row maps to the documented fields', async () => {
    const filled = (i: Item, key: string) => ((i.record[key] as unknown[] | null) ?? []).length > 0;
    const source = DETAILED.find((i) => filled(i, 'credits') && filled(i, 'labels') && filled(i, 'tags') && i.record.resource)!;
    const r = source.record as Record<string, any>;
    const pairs = (list: { key: string; value: string }[], prefix = '') => Object.fromEntries(list.map((l) => [prefix + l.key, l.value]));
    const [row] = (await collect('detailed.json.gz', source.month)).filter((x) => x.resource === r.resource.name);
    assert.deepEqual(row, {
      cost: source.cost + source.credits,
      billed_date: String(r.usage_start_time).slice(0, 10),
      provider: 'google_cloud',
      tags: { '123456789012/env': 'production', ...pairs(r.project.labels, 'project:'), ...pairs(r.labels) },
      additional_info: {
        'Billing Account ID': ACCOUNT,
        'Project ID': r.project.id,
        ...(r.project.name ? { 'Project Name': r.project.name } : {}),
        'Invoice Month': r.invoice.month,
        'Cost Type': 'regular',
        'Service ID': r.service.id,
        'SKU ID': r.sku.id,
        Zone: 'us-central1-a',
        'Resource Global Name': r.resource.global_name,
        'Transaction Type': 'GOOGLE',
        'Pricing Unit': 'hour',
        'Account ID': r.project.id,
      },
      data: {
        cost_without_credits: source.cost,
        credits_total: source.credits,
        ...(r.cost_at_list === null ? {} : { cost_at_list: r.cost_at_list }),
        currency_conversion_rate: 1,
        usage_amount_in_pricing_units: r.usage.amount_in_pricing_units,
        effective_price: source.cost / 4,
      },
      usage_quantity: r.usage.amount,
      usage_unit: 'seconds',
      region_code: 'us-central1',
      product: r.service.description,
      usage_type: r.sku.description,
      resource: r.resource.name,
    });
    const rows = await all('standard.json');
    assert.ok(
      rows.some((x) => x.region_code === 'us' && !x.additional_info?.Zone),
      'a multi-region is its location',
    );
    assert.ok(
      rows.some((x) => x.region_code === undefined),
      'no location, no region',
    );
    const info = (await all('detailed.json.gz')).map((x) => x.additional_info!);
    const tax = info.find((x) => x['Cost Type'] === 'tax' && !x['Project ID'])!;
    assert.equal(tax['Account ID'], ACCOUNT, 'a row of no project is the billing account’s');
  });

  for (const measure of ['with_credits', 'without_credits'] as const) {
    test(`cost_measure ${measure}: sums per month and project equal the generated rows'`, async () => {
      for (const files of [FILES.map((f) => f[1]), FILES.map((f) => f[2])]) {
        const rows = [...(await all(files[0], { cost_measure: measure })), ...(await all(files[1], { cost_measure: measure }))];
        const got = rows.map((r) => ({
          cost: r.cost,
          month: r.billed_date!.slice(0, 7),
          account: String(r.additional_info?.['Account ID']),
        }));
        assert.deepEqual(sums(got, 1e9), expected(measure === 'with_credits'), files.join(' + '));
      }
      assert.ok(ITEMS.some((i) => i.cost < 0) && ITEMS.some((i) => i.credits < 0), 'negative adjustments and credits are in the sums');
    });
  }

  test('cost_measure list reads cost_at_list; a row without it is a clear error', async () => {
    const withList = DETAILED.filter((i) => i.record.cost_at_list !== null);
    writeFileSync(join(dir, 'list.json'), jsonLines(withList, true));
    const rows = await all('list.json', { cost_measure: 'list' });
    assert.equal(round(rows.reduce((s, r) => s + r.cost!, 0)), round(withList.reduce((s, i) => s + (i.record.cost_at_list as number), 0)));
    const row = 1 + DETAILED.findIndex((i) => i.record.cost_at_list === null && i.month === '2025-07');
    await assert.rejects(
      collect('detailed.csv.gz', '2025-07', { cost_measure: 'list' }),
      (e: PluginError) =>
        e.code === 'ERROR_REQUIRED_PARAMETER' && e.message.startsWith(`row ${row}: options.cost_measure list reads cost_at_list`),
    );
  });

  test('bad options, another currency, prototype label keys, bad values and missing columns are clear errors', async () => {
    await assert.rejects(
      plugin().verify({ options: { base_url: url('standard.json'), cost_measure: 'amortized' }, secret_data: {}, domain_id: 'd' }),
      /cost_measure must be one of with_credits, without_credits, list/,
    );
    const [first] = STANDARD;
    const csvOf = (name: string, patch: Json) =>
      writeFileSync(join(dir, name), flatCsv([{ ...first, record: { ...first.record, ...patch } }], false));
    csvOf('eur.csv', { currency: 'EUR' });
    await assert.rejects(collect('eur.csv', first.month), /row 1: currency is EUR, the data source's currency is USD/);
    assert.equal((await collect('eur.csv', first.month, { currency: 'EUR' })).length, 1);
    csvOf('proto.csv', { labels: [label('__proto__', 'x')] });
    await assert.rejects(
      collect('proto.csv', first.month),
      (e: PluginError) => e.code === 'ERROR_INVALID_PARAMETER' && /row 1: labels has a key named "__proto__"/.test(e.message),
    );
    csvOf('bad-credits.csv', { credits: 'PROMOTION:-1' });
    await assert.rejects(collect('bad-credits.csv', first.month), /row 1: credits is not a list of records \(in CSV, write it as JSON/);
    csvOf('bad-cost.csv', { cost: 'n/a' });
    await assert.rejects(collect('bad-cost.csv', first.month), /row 1: cost "n\/a" is not a number/);
    writeFileSync(join(dir, 'no-cost.csv'), 'usage_start_time,currency\n2025-08-01 00:00:00 UTC,USD\n');
    await assert.rejects(collect('no-cost.csv', '2025-08'), /row 1: Required parameter\. \(key = cost; is this a Cloud Billing export\?\)/);
    writeFileSync(join(dir, 'no-start.csv'), 'cost\n1\n');
    await assert.rejects(
      tasks(url('no-start.csv')),
      (e: PluginError) => e.code === 'ERROR_REQUIRED_PARAMETER' && /row 1: Required parameter\. \(key = usage_start_time/.test(e.message),
    );
    // Nested values, as JSON lines and Parquet give them, straight to the row mapping.
    const settings = gcpSettings({});
    const nested = (patch: Json) => () => gcpRow({ ...first.record, ...patch }, 7, '2025-07-01', settings);
    assert.throws(nested({ labels: [label('__proto__', 'x')] }), /row 7: labels has a key named "__proto__"/);
    assert.throws(
      nested({ project: { id: 'p', labels: [label('constructor', 'x')] } }),
      /row 7: project\.labels has a key named "constructor"/,
    );
    assert.throws(nested({ tags: [{ key: 'prototype', value: 'x', namespace: '' }] }), /row 7: tags has a key named "prototype"/);
    assert.throws(nested({ credits: [-1] }), /row 7: credits is not a list of records/);
    assert.throws(nested({ credits: [{ amount: 'lots' }] }), /row 7: credits\[0\]\.amount "lots" is not a number/);
  });

  test('Parquet-typed values: a Date timestamp and bigint numbers', () => {
    const values = { ...STANDARD[0].record, usage_start_time: new Date('2025-07-31T23:30:00Z'), cost: 3n, usage: { amount: 3600n } };
    assert.equal(gcpDay(values, 1), '2025-07-31');
    const row = gcpRow(values, 1, '2025-07-31', gcpSettings({ cost_measure: 'without_credits' }));
    assert.deepEqual([row.cost, row.usage_quantity], [3, 3600]);
    assert.throws(() => gcpDay({ usage_start_time: new Date(Number.NaN) }, 2), /row 2: usage_start_time/);
  });

  for (const backend of BACKENDS) {
    test(`through the engine (${backend}): a sync of JSON lines exports publishes the sums per month and project`, async () => {
      const store = await openTestStore(backend);
      const { engine } = makeTestEngine(store.db, { retentionMonths: 0 }, testPlugins({ 'gcp-billing-export': plugin() }));
      try {
        const options = { base_url: [url('standard.json'), url('detailed.json.gz')] };
        const ds = await insertDataSource(store.db, options, { pluginId: 'gcp-billing-export' });
        engine.start();
        const job = await engine.sync(ds, { syncMode: 'MANUAL' });
        assert.equal((await engine.waitForJob(job.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
        const stored = await store.db.query<{ month: string; account: string; cost: number; rows: number }>(
          `SELECT billed_month AS month, additional_info->>'Account ID' AS account, sum(cost)::float8 AS cost, count(*)::int AS rows
             FROM published_cost WHERE data_source_id = $1 GROUP BY 1, 2`,
          [ds.data_source_id],
        );
        assert.deepEqual(sums(stored, 1e9), expected(true));
        assert.equal(
          stored.reduce((n, r) => n + r.rows, 0),
          ITEMS.length,
          'one published row per export row',
        );
      } finally {
        await engine.stop();
        await store.release();
      }
    });
  }
});
