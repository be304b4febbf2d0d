import { randomBytes } from 'node:crypto';

/** Resource id prefixes, as the upstream service writes them (spec §5). */
export const ID_PREFIX = {
  dataSource: 'ds',
  job: 'job',
  jobTask: 'job-task',
  cost: 'cost',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

/** `<prefix>-` followed by 12 lowercase hex digits (6 random bytes). */
export function newId(kind: IdKind): string {
  return `${ID_PREFIX[kind]}-${randomBytes(6).toString('hex')}`;
}

const ID_PATTERN: Record<IdKind, RegExp> = {
  dataSource: /^ds-[0-9a-f]{12}$/,
  job: /^job-[0-9a-f]{12}$/,
  jobTask: /^job-task-[0-9a-f]{12}$/,
  cost: /^cost-[0-9a-f]{12}$/,
};

export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN[kind].test(value);
}
