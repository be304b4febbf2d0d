/**
 * SQL fragments that keep text and values apart until the very end. Text comes only from
 * this code (fixed keywords and catalogue identifiers); every value a client sends is a bound
 * `$n` parameter. Fragments nest freely; `compile` numbers the parameters once, in order.
 *
 *   const where = sql`domain_id = ${domainId} AND status = ANY(${statuses}::text[])`;
 *   compile(sql`SELECT * FROM job WHERE ${where}`)
 *   // → { sql: 'SELECT * FROM job WHERE domain_id = $1 AND status = ANY($2::text[])', params: [...] }
 */
export interface Fragment {
  readonly kind: 'fragment';
  /** Always one more chunk than values: chunk, value, chunk, …, chunk. */
  readonly chunks: readonly string[];
  readonly values: readonly unknown[];
}

export interface CompiledSql {
  readonly sql: string;
  readonly params: unknown[];
}

function isFragment(value: unknown): value is Fragment {
  return typeof value === 'object' && value !== null && (value as Fragment).kind === 'fragment';
}

/** Interpolated fragments are inlined; anything else becomes a bound parameter. */
export function sql(strings: TemplateStringsArray, ...args: unknown[]): Fragment {
  const chunks: string[] = [strings[0]];
  const values: unknown[] = [];
  args.forEach((arg, i) => {
    if (isFragment(arg)) {
      chunks[chunks.length - 1] += arg.chunks[0];
      for (let j = 0; j < arg.values.length; j++) {
        values.push(arg.values[j]);
        chunks.push(arg.chunks[j + 1]);
      }
      chunks[chunks.length - 1] += strings[i + 1];
    } else {
      values.push(arg);
      chunks.push(strings[i + 1]);
    }
  });
  return { kind: 'fragment', chunks, values };
}

/** Trusted text: only for identifiers from a field catalogue and fixed SQL, never client input. */
export function raw(text: string): Fragment {
  return { kind: 'fragment', chunks: [text], values: [] };
}

export function join(fragments: readonly Fragment[], separator: string): Fragment {
  if (fragments.length === 0) return raw('');
  return fragments.slice(1).reduce((acc, next) => sql`${acc}${raw(separator)}${next}`, fragments[0]);
}

/** `(a) AND (b) …`; `TRUE` for none. */
export function and(conditions: readonly Fragment[]): Fragment {
  if (conditions.length === 0) return raw('TRUE');
  return join(
    conditions.map((c) => sql`(${c})`),
    ' AND ',
  );
}

/** `(a) OR (b) …`; `FALSE` for none. */
export function or(conditions: readonly Fragment[]): Fragment {
  if (conditions.length === 0) return raw('FALSE');
  return join(
    conditions.map((c) => sql`(${c})`),
    ' OR ',
  );
}

export function compile(fragment: Fragment): CompiledSql {
  let text = fragment.chunks[0];
  for (let i = 0; i < fragment.values.length; i++) text += `$${i + 1}${fragment.chunks[i + 1]}`;
  return { sql: text, params: [...fragment.values] };
}
