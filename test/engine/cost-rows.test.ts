import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CopyBatch } from '../../src/engine/copy-batch.js';
import { COST_COPY_COLUMNS, CostKeys, encodeCostRows, type TaskStamp } from '../../src/engine/cost-rows.js';
import type { CostInfo } from '../../src/plugins/plugin.js';

const STAMP: TaskStamp = { dataSourceId: 'ds-1', jobId: 'job-1', jobTaskId: 'job-task-1', workspaceId: null, domainId: 'domain-1' };

function encode(rows: unknown[], keys = new CostKeys()): string[][] {
  const out: string[] = [];
  encodeCostRows(rows as CostInfo[], ids(rows.length), STAMP, keys, 1, out);
  return out.map((line) => line.split('\t'));
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `cost-00000001${(0x10000 + i).toString(16).slice(1)}`);

function column(line: string[], name: (typeof COST_COPY_COLUMNS)[number]): string {
  return line[COST_COPY_COLUMNS.indexOf(name)];
}

describe('cost rows as COPY text', () => {
  it('fills defaults, derives region_key and the billed year and month, and escapes text', () => {
    const [line] = encode([
      { billed_date: '2026-03-05', provider: ' aws ', region_code: 'us-east-1', resource: 'a\tb\nc\\d', tags: { env: 'prod' } },
    ]);
    assert.equal(line.length, COST_COPY_COLUMNS.length);
    assert.match(column(line, 'cost_id'), /^cost-[0-9a-f]{12}$/);
    assert.equal(column(line, 'cost'), '0');
    assert.equal(column(line, 'usage_quantity'), '0');
    assert.equal(column(line, 'provider'), 'aws');
    assert.equal(column(line, 'region_key'), 'aws.us-east-1');
    assert.equal(column(line, 'resource'), 'a\\tb\\nc\\\\d');
    assert.equal(column(line, 'usage_unit'), '\\N');
    assert.equal(column(line, 'workspace_id'), '\\N');
    assert.equal(column(line, 'tags'), '{"env":"prod"}');
    assert.deepEqual(
      [column(line, 'billed_year'), column(line, 'billed_month'), column(line, 'billed_date')],
      ['2026', '2026-03', '2026-03-05'],
    );
  });

  it('collects the keys of tags, additional_info and data', () => {
    const keys = new CostKeys();
    encode(
      [
        { billed_date: '2026-01-01', tags: { a: 1 }, data: { x: 1 } },
        { billed_date: '2026-01-01', tags: { b: 1 }, additional_info: { 'Account ID': '1' } },
      ],
      keys,
    );
    assert.deepEqual(keys.toJSON(), { tags: ['a', 'b'], additional_info: ['Account ID'], data: ['x'] });
  });

  for (const [row, message] of [
    [{ cost: 1 }, /row 1: billed_date is required/],
    [{ billed_date: '' }, /row 1: billed_date is required/],
    [{ billed_date: '2026-02-30' }, /row 1: billed_date must be a date YYYY-MM-DD, got "2026-02-30"/],
    [{ billed_date: '2026-1-5' }, /must be a date YYYY-MM-DD/],
    [{ billed_date: '2026-01-01', cost: 'ten' }, /row 1: cost must be a finite number, got "ten"/],
    [{ billed_date: '2026-01-01', usage_quantity: Number.NaN }, /usage_quantity must be a finite number/],
    [{ billed_date: '2026-01-01', product: 7 }, /row 1: product must be a string, got number/],
    [{ billed_date: '2026-01-01', tags: ['x'] }, /row 1: tags must be an object/],
    [{ billed_date: '2026-01-01', resource: 'i-1\u0000' }, /row 1: resource holds a NUL character/],
    [{ billed_date: '2026-01-01', tags: { env: 'pr\u0000od' } }, /row 1: tags holds a NUL character/],
    [{ billed_date: '2026-01-01', data: { 'k\u0000': 1 } }, /row 1: data holds a NUL character/],
    [
      { billed_date: '2026-01-01', resource: 'r'.repeat(65_537) },
      /row 1: resource has 65,537 characters; at most 65,536 \(COSTSYNC_ROW_MAX_VALUE_CHARS\)/,
    ],
    [{ billed_date: '2026-01-01', tags: { big: 'v'.repeat(70_000) } }, /row 1: tags has 70,010 characters; at most 65,536/],
    [
      { billed_date: '2026-01-01', tags: Object.fromEntries(Array.from({ length: 501 }, (_, i) => [`k${i}`, 1])) },
      /row 1: tags has more than 500 keys \(COSTSYNC_ROW_MAX_KEYS\)/,
    ],
  ] as const) {
    it(`rejects ${JSON.stringify(row).slice(0, 100)} naming the row and the field`, () => {
      assert.throws(() => encode([row]), message);
    });
  }

  it('checks every row, also after a valid row with the same date', () => {
    assert.throws(() => encode([{ billed_date: '2026-01-01' }, { billed_date: null }]), /row 2: billed_date is required/);
  });

  it('keeps a backslash followed by u0000 that is text, not a NUL', () => {
    const [line] = encode([{ billed_date: '2026-01-01', tags: { path: 'C:\\u0000dir' } }]);
    assert.equal(column(line, 'tags'), '{"path":"C:\\\\\\\\u0000dir"}');
  });

  it('accepts numeric strings for cost, as CSV-based plugins send them', () => {
    const [line] = encode([{ billed_date: '2026-01-01', cost: '12.5' }]);
    assert.equal(column(line, 'cost'), '12.5');
  });
});

describe('a batch of COPY lines as bytes', () => {
  it('holds exactly the UTF-8 of its lines, one per line, across growth and reuse', () => {
    const batch = new CopyBatch(8);
    const first = ['a\tb', 'été \\N', '東京 🍣 region', 'x'.repeat(5000)];
    batch.append(first.slice(0, 2));
    batch.append(first.slice(2));
    assert.equal(batch.rows, 4);
    assert.deepEqual(Buffer.from(batch.bytes()), Buffer.from(first.join('\n') + '\n'));
    batch.clear();
    assert.equal(batch.rows, 0);
    assert.equal(batch.bytes().length, 0);
    batch.append(['again']);
    assert.equal(Buffer.from(batch.bytes()).toString(), 'again\n');
  });
});
