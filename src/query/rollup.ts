import type { Catalogue } from './catalogue.js';
import { COST_CATALOGUE, COST_MONTHLY_CATALOGUE } from './catalogues.js';
import type { Condition } from './filter.js';
import type { StatQuery } from './parse-stat.js';
import type { GroupField, Stage } from './stage-types.js';

/**
 * When a cost query can be answered from the monthly rollup (COST_MONTHLY_CATALOGUE) instead of
 * the cost rows, and the query that does it. The answer is the same either way (the rollup
 * test compares both on random queries); the rollup only reads far fewer rows. It serves a query
 * whose every filter names a dimension the rollup keeps (not cost_id, resource, billed_date,
 * additional_info, data, nor a cost or usage value, which differ from row to row), with no
 * keyword, and which is a `distinct` of such a dimension or an aggregate whose first stage
 * groups by dimensions and computes only:
 *   - `sum` of cost or usage_quantity (the rollup holds their exact sums),
 *   - `count` (the sum of the rollup's row counts),
 *   - `min`, `max`, `add_to_set` of a dimension (the same values, fewer times).
 * The stages after the first see only its results, so they stay as they are. Cost.analyze is
 * such a query for MONTHLY and YEARLY when its keys and fields are; DAILY needs billed_date.
 */
const MEASURES = new Set(['cost', 'usage_quantity']);
const HIDDEN = new Set(['cost_monthly_id', 'row_count']);

function isDimension(key: unknown): boolean {
  if (typeof key !== 'string') return false;
  const [root, ...path] = key.split('.');
  if (path.length > 0) return root === 'tags' && path.every((segment) => segment !== '');
  return Object.hasOwn(COST_MONTHLY_CATALOGUE.fields, key) && !MEASURES.has(key) && !HIDDEN.has(key);
}

const onDimensions = (conditions: readonly Condition[]) => conditions.every((c) => isDimension(c.key));

/** The field as the rollup computes it, or undefined when only the rows can. */
function monthlyField(field: GroupField): GroupField | undefined {
  if (field.fields.length > 0 || !onDimensions(field.conditions)) return undefined;
  switch (field.operator) {
    case 'count':
      return { ...field, operator: 'sum', key: 'row_count' };
    case 'sum':
      return typeof field.key === 'string' && MEASURES.has(field.key) ? field : undefined;
    case 'min':
    case 'max':
    case 'add_to_set':
      return isDimension(field.key) ? field : undefined;
    default:
      return undefined;
  }
}

function monthlyStage(stage: Stage): Stage | undefined {
  if (stage.kind !== 'group') return undefined;
  if (!stage.keys.every((k) => k.dateFormat === undefined && isDimension(k.key))) return undefined;
  const fields = stage.fields.map(monthlyField);
  if (fields.some((f) => f === undefined)) return undefined;
  return { ...stage, fields: fields as GroupField[] };
}

/**
 * The query over COST_MONTHLY_CATALOGUE that gives the same answer as `query` over the cost
 * rows with the request-level `conditions`, or undefined when it takes the rows.
 */
export function monthlyForm(query: StatQuery, conditions: readonly Condition[]): StatQuery | undefined {
  if (query.keyword !== undefined) return undefined;
  if (!onDimensions(conditions) || !onDimensions(query.filter) || !onDimensions(query.filterOr)) return undefined;
  if (query.distinct !== undefined) return isDimension(query.distinct) ? query : undefined;
  const [first, ...rest] = query.aggregate;
  const grouped = first ? monthlyStage(first) : undefined;
  return grouped ? { ...query, aggregate: [grouped, ...rest] } : undefined;
}

/** Where a Cost.analyze or Cost.stat query runs: the monthly rollup when it gives the answer, else the rows. */
export function costSource(query: StatQuery, conditions: readonly Condition[]): { catalogue: Catalogue; query: StatQuery } {
  const monthly = monthlyForm(query, conditions);
  return monthly ? { catalogue: COST_MONTHLY_CATALOGUE, query: monthly } : { catalogue: COST_CATALOGUE, query };
}
