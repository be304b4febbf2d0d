import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAwsCurPlugin } from '../../src/plugins/aws-cur/plugin.js';
import { parquetValues } from '../../src/plugins/files/containers/parquet.js';
import type { FileStore } from '../../src/plugins/files/store.js';
import { localFiles } from '../../src/plugins/files/stores/local.js';
import { makeFocusPlugin } from '../../src/plugins/focus/plugin.js';
import { type CostInfo, type PluginClient, PluginError } from '../../src/plugins/plugin.js';
import {
  BILLING_ACCOUNT,
  curItems,
  curParquet,
  focusLines,
  focusParquet,
  keyValueList,
  parquetBytes,
  type RangeServer,
  rangeServer,
  rowGroupSpans,
  stringMap,
  stringStruct,
} from '../helpers/parquet-fixtures.js';

/**
 * Parquet exports, written here: FOCUS (ChargePeriodStart as TIMESTAMP and as text) and AWS
 * CUR 2.0, in row groups of 64 rows, read from file:// and over HTTP Range requests. Counts
 * and sums per month and account are computed from the generated values.
 */
const FOCUS = focusLines(300);
const CUR = curItems(200);
const month = (date: Date) => date.toISOString().slice(0, 7);
const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Cost per "month account", summed from rows (or from the generated values). */
function sums(rows: { month: string; account: string; cost: number }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const { month, account, cost } of rows) out[`${month} ${account}`] = round((out[`${month} ${account}`] ?? 0) + cost);
  return out;
}

async function collect(plugin: PluginClient, url: string, month: string, signal = new AbortController().signal): Promise<CostInfo[]> {
  const out: CostInfo[] = [];
  for await (const page of plugin.getData({ options: {}, secret_data: {}, task_options: { base_url: url, month }, domain_id: 'd' }, signal))
    out.push(...page);
  return out;
}

async function drain(values: AsyncIterable<Record<string, unknown>>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const value of values) out.push(value);
  return out;
}

describe('Parquet exports, read row group by row group', () => {
  let dir: string;
  let server: RangeServer;
  let focus: PluginClient;
  let cur: PluginClient;
  let local: FileStore;
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const files: Record<string, Buffer> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-parquet-'));
    const access = makeAccessPolicy({ fileRoots: [dir], hosts: ['127.0.0.1'] });
    focus = makeFocusPlugin(access);
    cur = makeAwsCurPlugin(access);
    local = await localFiles.make({ access, secret: {} });
    files['focus-timestamp.parquet'] = focusParquet(FOCUS, 'TIMESTAMP');
    files['focus-text.parquet'] = focusParquet(FOCUS, 'STRING');
    files['cur.parquet'] = curParquet(CUR);
    files['gzip.parquet'] = focusParquet(FOCUS, 'TIMESTAMP', { codec: 'GZIP' });
    files['truncated.parquet'] = files['focus-timestamp.parquet'].subarray(0, files['focus-timestamp.parquet'].length - 100);
    files['magic-only.parquet'] = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(64)]);
    const corrupt = Buffer.from(files['focus-timestamp.parquet']);
    const [, second] = rowGroupSpans(corrupt);
    corrupt.fill(0xff, second[0], second[0] + 40);
    files['corrupt.parquet'] = corrupt;
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    server = await rangeServer(Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`/${name}`, bytes])));
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('FOCUS, ChargePeriodStart as TIMESTAMP or as text: a task per month, exact counts and sums per account', async () => {
    const expected = sums(FOCUS.map((l) => ({ month: month(l.start), account: l.subAccount ?? BILLING_ACCOUNT, cost: l.billed })));
    const byMonth: Record<string, CostInfo[]> = {};
    for (const name of ['focus-timestamp.parquet', 'focus-text.parquet']) {
      const plan = await focus.getTasks({ options: { base_url: url(name) }, secret_data: {}, domain_id: 'd' });
      assert.deepEqual(
        plan.tasks,
        ['2025-07', '2025-08', '2025-09'].map((m) => ({
          task_options: { base_url: url(name), month: m },
          task_changed: { start: m, end: m },
        })),
      );
      const rows: { month: string; account: string; cost: number }[] = [];
      for (const m of ['2025-07', '2025-08', '2025-09']) {
        const got = await collect(focus, url(name), m);
        assert.equal(got.length, FOCUS.filter((l) => month(l.start) === m).length, `${name} ${m}`);
        for (const r of got) rows.push({ month: m, account: String(r.additional_info?.['Account ID']), cost: r.cost ?? 0 });
        if (byMonth[m]) assert.deepEqual(got, byMonth[m], `${m}: the same rows whatever the timestamp column's type`);
        byMonth[m] = got;
      }
      assert.deepEqual(sums(rows), expected, name);
    }
    // Row by row, against the line it came from (rows keep the file's order).
    for (const m of ['2025-07', '2025-08', '2025-09']) {
      const lines = FOCUS.filter((l) => month(l.start) === m);
      assert.deepEqual(
        byMonth[m].map((r) => [r.billed_date, r.cost, r.usage_quantity, r.product, r.tags, r.data]),
        lines.map((l) => [
          l.start.toISOString().slice(0, 10),
          l.billed,
          l.quantity === null ? undefined : Number(l.quantity),
          l.service ?? undefined,
          l.tags ? Object.fromEntries(Object.entries(JSON.parse(l.tags)).map(([k, v]) => [k, String(v)])) : {},
          l.effective === null ? {} : { EffectiveCost: l.effective },
        ]),
        m,
      );
    }
  });

  test('AWS CUR 2.0: a task per month, counts and unblended sums per account; resource_tags as a MAP column', async () => {
    const plan = await cur.getTasks({ options: { base_url: url('cur.parquet') }, secret_data: {}, domain_id: 'd' });
    assert.deepEqual(
      plan.tasks.map((t) => t.task_options.month),
      ['2025-07', '2025-08'],
    );
    const rows: { month: string; account: string; cost: number }[] = [];
    for (const m of ['2025-07', '2025-08']) {
      const got = await collect(cur, url('cur.parquet'), m);
      assert.equal(got.length, CUR.filter((i) => month(i.start) === m).length, m);
      for (const r of got) rows.push({ month: m, account: String(r.additional_info?.['Account ID']), cost: r.cost ?? 0 });
      assert.deepEqual(
        got.map((r) => [r.billed_date, r.cost, r.usage_quantity, r.product, r.tags, r.additional_info?.['Line Item Type']]),
        CUR.filter((i) => month(i.start) === m).map((i) => [
          i.start.toISOString().slice(0, 10),
          i.cost,
          i.amount ?? undefined,
          i.product,
          i.tags ?? {},
          i.type,
        ]),
        m,
      );
    }
    assert.deepEqual(sums(rows), sums(CUR.map((i) => ({ month: month(i.start), account: i.account, cost: i.cost }))));
  });

  test('over HTTP: the same rows, fetched by Range requests, one per row group after the footer', async () => {
    const name = 'focus-timestamp.parquet';
    const fromFile = await collect(focus, url(name), '2025-08');
    server.requests.length = 0;
    assert.deepEqual(await collect(focus, `${server.base}/${name}`, '2025-08'), fromFile);
    const ranges = server.requests.filter((r) => r.range).map((r) => r.range);
    const spans = rowGroupSpans(files[name]);
    assert.equal(spans.length, 5, '300 rows in groups of 64');
    // The size probe, the footer (its last 512 KiB: here the whole small file), then each group.
    assert.deepEqual(ranges, [
      'bytes=0-0',
      `bytes=0-${files[name].length - 1}`,
      ...spans.map(([start, end]) => `bytes=${start}-${end - 1}`),
    ]);
    // The one plain GET is the content sniff (files/records.ts), closed after its first bytes.
    assert.equal(server.requests.filter((r) => !r.range).length, 1);
  });

  test('a truncated file, or PAR1 and no footer: a clear error, not a transient one', async () => {
    for (const name of ['truncated.parquet', 'magic-only.parquet']) {
      await assert.rejects(
        focus.getTasks({ options: { base_url: url(name) }, secret_data: {}, domain_id: 'd' }),
        (e: PluginError) =>
          e.code === 'ERROR_INVALID_PARAMETER' &&
          !e.transient &&
          e.message ===
            `${url(name)} is not a complete Parquet file: it does not end with a Parquet footer (truncated, or still being written)`,
      );
    }
  });

  test('a damaged column chunk names its row group, after the groups before it were read', async () => {
    const rows: unknown[] = [];
    await assert.rejects(
      async () => {
        for await (const row of parquetValues(url('corrupt.parquet'), local, new AbortController().signal)) rows.push(row);
      },
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' &&
        e.message.startsWith(`${url('corrupt.parquet')}: row group 2 of 5 (rows 65–128) is not readable`),
    );
    assert.equal(rows.length, 64);
  });

  test('a GZIP file is refused before any row, naming the codec and what to write instead', async () => {
    await assert.rejects(
      collect(focus, url('gzip.parquet'), '2025-07'),
      (e: PluginError) =>
        e.code === 'ERROR_INVALID_PARAMETER' &&
        /column ChargePeriodStart is compressed with GZIP, which is not read; write the file with snappy compression or uncompressed/.test(
          e.message,
        ),
    );
  });

  test('aborting between row groups stops the reading: no later group is fetched', async () => {
    const name = 'focus-timestamp.parquet';
    const ranges: [number, number][] = [];
    const counting: FileStore = {
      ...local,
      range(u, start, end, s) {
        ranges.push([start, end]);
        return local.range(u, start, end, s);
      },
    };
    const controller = new AbortController();
    const values = parquetValues(url(name), counting, controller.signal);
    for (let i = 0; i < 64; i++) assert.equal((await values.next()).done, false);
    controller.abort(new Error('stopped'));
    await assert.rejects(values.next(), /stopped/);
    assert.deepEqual(ranges.slice(1), [rowGroupSpans(files[name])[0]], 'the footer, then the first group only');
  });

  test("a store's PluginError passes unchanged (a network failure stays transient)", async () => {
    const failure = new PluginError('ERROR_UNAVAILABLE', 'connection reset', true);
    let calls = 0;
    const flaky: FileStore = {
      ...local,
      range: (u, start, end, s) => (++calls === 3 ? Promise.reject(failure) : local.range(u, start, end, s)),
    };
    await assert.rejects(drain(parquetValues(url('cur.parquet'), flaky, new AbortController().signal)), (e) => e === failure);
  });

  test('nested columns come as plain values: LIST of STRUCT, STRUCT, MAP as an object; INT64 as bigint, TIMESTAMP as Date', async () => {
    writeFileSync(
      join(dir, 'nested.parquet'),
      parquetBytes([
        { name: 'usage_start_time', data: [new Date('2025-08-01T07:00:00Z'), null], type: 'TIMESTAMP' },
        { name: 'usage_amount', data: [9007199254740993n, null], type: 'INT64' },
        { name: 'labels', data: [[{ key: 'env', value: 'prod' }], []], type: keyValueList('labels') },
        {
          name: 'service',
          data: [{ id: '6F81-5844-456A', description: 'Compute Engine' }, null],
          type: stringStruct('service', ['id', 'description']),
        },
        { name: 'tags', data: [{ team: 'data' }, null], type: stringMap('tags') },
      ]),
    );
    const rows = await drain(parquetValues(url('nested.parquet'), local, new AbortController().signal));
    assert.deepEqual(rows, [
      {
        usage_start_time: new Date('2025-08-01T07:00:00Z'),
        usage_amount: 9007199254740993n,
        labels: [{ key: 'env', value: 'prod' }],
        service: { id: '6F81-5844-456A', description: 'Compute Engine' },
        tags: { team: 'data' },
      },
      { usage_start_time: null, usage_amount: null, labels: [], service: null, tags: null },
    ]);
    assert.equal(Object.getPrototypeOf(rows[0].tags), Object.prototype);
  });

  test('a map key or field named __proto__, constructor or prototype is refused', async () => {
    const cases: [string, Parameters<typeof parquetBytes>[0], RegExp][] = [
      [
        'proto-key',
        [
          {
            name: 'tags',
            data: [
              [
                { key: 'a', value: '1' },
                { key: '__proto__', value: 'x' },
              ],
            ],
            type: stringMap('tags'),
          },
        ],
        /row group 1 of 1 \(rows 1–1\): tags has a key named "__proto__"/,
      ],
      [
        'null-proto',
        [{ name: 'tags', data: [[{ key: '__proto__', value: null }]], type: stringMap('tags') }],
        /tags has a key named "__proto__"/,
      ],
      ['constructor-key', [{ name: 'tags', data: [{ constructor: 'x' }], type: stringMap('tags') }], /tags has a key named "constructor"/],
      [
        'prototype-field',
        [{ name: 'service', data: [{ prototype: 'x' }], type: stringStruct('service', ['prototype']) }],
        /a column is named "service.prototype"/,
      ],
    ];
    for (const [name, columns, message] of cases) {
      writeFileSync(join(dir, `${name}.parquet`), parquetBytes(columns));
      await assert.rejects(
        drain(parquetValues(url(`${name}.parquet`), local, new AbortController().signal)),
        (e: PluginError) => e.code === 'ERROR_INVALID_PARAMETER' && message.test(e.message),
        name,
      );
    }
  });
});
