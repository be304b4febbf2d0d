import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeAwsCurPlugin } from '../../src/plugins/aws-cur/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { collectMonth, publishedSums, sums } from '../helpers/export-sums.js';
import { CUR2, csv, expectedSums, items, LEGACY } from '../helpers/exports/aws-cur.js';

/** The aws-cur plugin on the generated reports of test/helpers/exports/aws-cur.ts, both generations, plain and gzip. */
describe('aws-cur plugin', () => {
  let dir: string;
  const ITEMS = items();
  const plugin = () => makeAwsCurPlugin(makeAccessPolicy({ fileRoots: [dir], hosts: [] }));
  const url = (name: string) => pathToFileURL(join(dir, name)).href;
  const collect = (name: string, month: string, options: Record<string, unknown> = {}) => collectMonth(plugin(), url(name), month, options);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-cur-'));
    writeFileSync(join(dir, 'legacy.csv'), csv(LEGACY, ITEMS));
    writeFileSync(join(dir, 'legacy.csv.gz'), gzipSync(csv(LEGACY, ITEMS)));
    writeFileSync(join(dir, 'cur2.csv.gz'), gzipSync(csv(CUR2, ITEMS)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('plans one task per file and month; both generations, plain and gzip, give the same rows', async () => {
    const plan = await plugin().getTasks({
      options: { base_url: [url('legacy.csv.gz'), url('cur2.csv.gz')] },
      secret_data: {},
      domain_id: 'd',
    });
    assert.deepEqual(
      plan.tasks.map((t) => [String(t.task_options.base_url).split('/').pop(), t.task_options.month, t.task_changed]),
      [
        ['legacy.csv.gz', '2025-07', { start: '2025-07', end: '2025-07' }],
        ['legacy.csv.gz', '2025-08', { start: '2025-08', end: '2025-08' }],
        ['cur2.csv.gz', '2025-07', { start: '2025-07', end: '2025-07' }],
        ['cur2.csv.gz', '2025-08', { start: '2025-08', end: '2025-08' }],
      ],
    );
    const legacy = await collect('legacy.csv', '2025-08');
    assert.equal(legacy.length, ITEMS.filter((i) => i.start.startsWith('2025-08')).length);
    assert.deepEqual(await collect('legacy.csv.gz', '2025-08'), legacy);
    const cur2 = await collect('cur2.csv.gz', '2025-08');
    const tagless = (rows: CostInfo[]) => rows.map(({ tags, ...rest }) => ({ ...rest, tags: Object.values(tags ?? {}) }));
    assert.deepEqual(tagless(cur2), tagless(legacy), 'the same rows; only the tag key spelling differs (user:team / user_team)');
    const first = legacy[0];
    assert.deepEqual(
      [
        first.provider,
        first.region_code,
        first.product,
        first.usage_unit,
        first.additional_info?.['Account ID'],
        first.additional_info?.['Payer Account ID'],
      ],
      ['aws', 'us-east-1', ITEMS[1].product, 'Hrs', ITEMS[1].account, '999999999999'],
    );
  });

  for (const measure of ['unblended', 'net_unblended', 'blended', 'amortized'] as const) {
    test(`cost_measure ${measure}: sums per month and account equal the line items'`, async () => {
      const expected = expectedSums(ITEMS, measure);
      for (const file of ['legacy.csv.gz', 'cur2.csv.gz']) {
        const rows = [
          ...(await collect(file, '2025-07', { cost_measure: measure })),
          ...(await collect(file, '2025-08', { cost_measure: measure })),
        ];
        const got = sums(
          rows.map((r) => ({ cost: r.cost, month: r.billed_date!.slice(0, 7), account: String(r.additional_info?.['Account ID']) })),
        );
        assert.deepEqual(got, expected, file);
      }
    });
  }

  test('a bad option, a line item in another currency and a row without a start date are clear errors', async () => {
    await assert.rejects(
      plugin().verify({ options: { base_url: url('legacy.csv'), cost_measure: 'list' }, secret_data: {}, domain_id: 'd' }),
      /cost_measure must be one of unblended, net_unblended, blended, amortized/,
    );
    writeFileSync(join(dir, 'eur.csv'), csv(LEGACY, ITEMS.slice(0, 1)).replace(',USD,', ',EUR,'));
    await assert.rejects(collect('eur.csv', ITEMS[0].start.slice(0, 7)), (e: PluginError) =>
      /row 1: line_item_currency_code is EUR/.test(e.message),
    );
    writeFileSync(join(dir, 'no-date.csv'), 'lineItem/UnblendedCost\n1\n');
    await assert.rejects(
      plugin().getTasks({ options: { base_url: url('no-date.csv') }, secret_data: {}, domain_id: 'd' }),
      /row 1: Required parameter\. \(key = lineItem\/UsageStartDate/,
    );
  });

  test('through the engine: a sync of a gzip CUR publishes the amortized sums per month and account', async () => {
    const options = { base_url: [url('cur2.csv.gz')], cost_measure: 'amortized' };
    const expected = expectedSums(ITEMS, 'amortized');
    assert.deepEqual(await publishedSums('pglite', 'aws-cur', plugin(), options), expected);
  });
});
