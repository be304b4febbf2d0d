import type { SortKey } from './catalogue.js';
import type { Condition } from './filter.js';

/** The stages of an aggregate pipeline (spec §3.5) as parsed: client names are data, keys are checked when compiled. */
export type Stage =
  | { readonly kind: 'group'; readonly keys: readonly GroupKey[]; readonly fields: readonly GroupField[]; readonly where: string }
  | { readonly kind: 'count'; readonly name: string }
  | { readonly kind: 'sort'; readonly keys: readonly SortKey[]; readonly where: string }
  | { readonly kind: 'limit'; readonly value: number }
  | { readonly kind: 'skip'; readonly value: number }
  | { readonly kind: 'unwind'; readonly path: string; readonly filter: readonly Condition[]; readonly where: string }
  | {
      readonly kind: 'project';
      readonly fields: readonly ProjectField[];
      readonly excludeKeys: boolean;
      readonly where: string;
    };

export interface GroupKey {
  readonly key: string;
  readonly name: string;
  readonly dateFormat?: string;
  readonly where: string;
}

export const GROUP_OPERATORS = ['count', 'sum', 'average', 'min', 'max', 'first', 'last', 'push', 'add_to_set', 'merge_objects'] as const;
export type GroupOperator = (typeof GROUP_OPERATORS)[number];

export interface GroupField {
  /** Absent for `count`, and for `push` with `fields`. */
  readonly key?: string;
  readonly name: string;
  readonly operator: GroupOperator;
  /** `push` of a sub-object: `[{key, name}]`. */
  readonly fields: readonly { readonly key: string; readonly name: string }[];
  readonly conditions: readonly Condition[];
  readonly where: string;
}

export const PROJECT_OPERATORS = ['size', 'sum', 'array_to_object', 'object_to_array'] as const;
export type ProjectOperator = (typeof PROJECT_OPERATORS)[number];

export interface ProjectField {
  readonly key: string;
  readonly name: string;
  readonly operator?: ProjectOperator;
  readonly where: string;
}
