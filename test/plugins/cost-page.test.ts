import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { messageCodec } from '../../src/wire/codec.js';
import { wireDescriptors } from '../../src/wire/descriptors.js';
import { decodeCostPage, encodeCostPage } from '../../src/wire/cost-page-codec.js';
import type { CostInfo } from '../../src/plugins/plugin.js';

/**
 * The hand-written get_data page codec against the generic protobuf codec built from our
 * descriptors, on generated pages: any text (multi-byte, long, empty), any JSON in the three
 * Structs (nested objects and lists, null, booleans, numbers of every size).
 */
const generic = messageCodec(wireDescriptors().message('spaceone.api.cost_analysis.plugin.CostsInfo'));

const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ minLength: 40, maxLength: 300 }));
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(0));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    number,
    text,
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  // "__proto__" is left to its own test: the generic codec drops that key.
  object: fc.dictionary(
    text.filter((key) => key !== '__proto__'),
    tie('value'),
    { maxKeys: 5 },
  ),
})).object as fc.Arbitrary<Record<string, unknown>>;

const row: fc.Arbitrary<CostInfo> = fc.record(
  {
    cost: number,
    usage_quantity: number,
    usage_unit: text,
    provider: text,
    region_code: text,
    product: text,
    usage_type: text,
    resource: text,
    billed_date: fc.constantFrom('2025-08-01', '2025-08-31', '2025-09'),
    tags: json,
    additional_info: json,
    data: json,
  },
  { requiredKeys: ['billed_date', 'tags', 'additional_info', 'data'] },
) as fc.Arbitrary<CostInfo>;

/** Generated rows as plain JSON (ordinary prototypes, -0 as 0), the form both codecs read into. */
const plain = (rows: CostInfo[]): CostInfo[] => JSON.parse(JSON.stringify(rows));

/** What a reader gets back: proto3 leaves out zeros and empty strings. */
function asRead(input: CostInfo): CostInfo {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== 0 && value !== '')) as CostInfo;
}

test('generated pages: the generic codec reads what the page writer writes, and the page reader reads what the generic codec writes', () => {
  fc.assert(
    fc.property(fc.array(row, { maxLength: 8 }).map(plain), (rows) => {
      const written = encodeCostPage(rows);
      assert.deepEqual(generic.decode(written), rows.length ? { results: rows.map(asRead) } : {});
      assert.deepEqual(decodeCostPage(written), rows.map(asRead));
      assert.deepEqual(decodeCostPage(generic.encode({ results: rows })), rows.map(asRead));
    }),
    { numRuns: 300 },
  );
});

test('the page writer gives byte for byte what the generic codec gives', () => {
  fc.assert(
    fc.property(fc.array(row, { maxLength: 5 }).map(plain), (rows) => {
      assert.deepEqual(Buffer.from(encodeCostPage(rows)), Buffer.from(generic.encode({ results: rows })));
    }),
    { numRuns: 300 },
  );
});

test('a row whose cost is not a number is refused with its row number', () => {
  const rows = [
    { billed_date: '2025-08-01', cost: 1 },
    { billed_date: '2025-08-01', cost: 'twelve' },
  ] as unknown as CostInfo[];
  assert.throws(() => encodeCostPage(rows), /row 2: cost must be a number, got "twelve"/);
});

test('a Struct key "__proto__" is kept as a key', () => {
  const rows = JSON.parse(
    '[{"billed_date":"2025-08-01","tags":{"__proto__":"x","env":"prod"},"additional_info":{},"data":{"__proto__":{"a":1}}}]',
  );
  const [read] = decodeCostPage(encodeCostPage(rows));
  assert.equal(JSON.stringify(read.tags), '{"__proto__":"x","env":"prod"}');
  assert.equal(JSON.stringify(read.data), '{"__proto__":{"a":1}}');
});
