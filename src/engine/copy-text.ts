/**
 * PostgreSQL COPY text format: tab-separated columns, one row per line, `\N` for NULL, and
 * backslash escapes for the four characters that would break the framing.
 */
const NEEDS_ESCAPE = /[\\\t\n\r]/;

export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
