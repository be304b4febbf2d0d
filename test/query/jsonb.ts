/**
 * PostgreSQL's comparison rules, in JavaScript, for the in-memory evaluator:
 * - text in the "C" collation (byte order of UTF-8), as both test databases use;
 * - JSONB ordering: null < string < number < boolean < array < object; arrays by length,
 *   then element by element; objects by number of pairs, then pairs in key storage order.
 */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const RANK = { null: 0, string: 1, number: 2, boolean: 3, array: 4, object: 5 } as const;

export function jsonTypeOf(value: unknown): keyof typeof RANK {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'string' | 'number' | 'boolean' | 'object';
}

/** JSONB object keys in storage order: shorter first, then bytewise. */
function storageOrder(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.byteLength(a) - Buffer.byteLength(b) || compareText(a, b));
}

export function compareJson(a: unknown, b: unknown): number {
  const ta = jsonTypeOf(a);
  const tb = jsonTypeOf(b);
  if (ta !== tb) return RANK[ta] - RANK[tb];
  switch (ta) {
    case 'null':
      return 0;
    case 'string':
      return compareText(a as string, b as string);
    case 'number':
      return Math.sign((a as number) - (b as number));
    case 'boolean':
      return Number(a) - Number(b);
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      if (x.length !== y.length) return x.length - y.length;
      for (let i = 0; i < x.length; i++) {
        const c = compareJson(x[i], y[i]);
        if (c !== 0) return c;
      }
      return 0;
    }
    default: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = storageOrder(Object.keys(x));
      const ky = storageOrder(Object.keys(y));
      if (kx.length !== ky.length) return kx.length - ky.length;
      for (let i = 0; i < kx.length; i++) {
        const c = compareText(kx[i], ky[i]) || compareJson(x[kx[i]], y[ky[i]]);
        if (c !== 0) return c;
      }
      return 0;
    }
  }
}

export const jsonEqual = (a: unknown, b: unknown) => compareJson(a, b) === 0;
