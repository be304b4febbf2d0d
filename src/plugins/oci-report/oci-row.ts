import { isPrototypeKey } from '../../query/input.js';
import { checkCurrency, choiceOption, currencyOption } from '../exports/export-plugin.js';
import { chargeDay, lacksColumn, number, present } from '../exports/values.js';
import type { CostInfo, Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { hasColumn, OCI_SPELLED, type OciField, pick, TAG_PREFIX } from './oci-columns.js';

/**
 * One OCI cost report line (columns read through oci-columns.ts) → a cost row.
 * docs/plugins/oci-cost-report.md has the mapping table.
 *
 * Oracle documents `cost/myCost`, `usage/billedQuantity` and `cost/unitPrice` as inclusive of
 * overage: `cost/myCostOverage` is the part of myCost billed above a commitment, not a second
 * total. So `options.cost_measure` is `my_cost` (what the line costs; the default) or
 * `my_cost_overage` (only its overage part, for watching commitment burn-down).
 *
 * Corrections are lines of their own (`lineItem/isCorrection` set, `lineItem/backreferenceNo`
 * naming the corrected line) that Oracle adds to later reports; they are loaded as written,
 * sign included, so the month's sum is the corrected one.
 */
export const COST_MEASURES = ['my_cost', 'my_cost_overage'] as const;
export type CostMeasure = (typeof COST_MEASURES)[number];

export interface OciSettings {
  readonly costMeasure: CostMeasure;
  readonly currency: string;
}

const MEASURE_FIELD: Record<CostMeasure, OciField> = { my_cost: 'myCost', my_cost_overage: 'myCostOverage' };

export function ociSettings(options: Struct | undefined): OciSettings {
  return { costMeasure: choiceOption(options, 'cost_measure', COST_MEASURES), currency: currencyOption(options) };
}

export function ociDay(values: Record<string, string>, row: number): string {
  if (!hasColumn(values, 'start')) {
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${OCI_SPELLED.start})`);
  }
  return chargeDay(pick(values, 'start'), OCI_SPELLED.start, row);
}

function amount(values: Record<string, string>, field: OciField, row: number): number {
  const value = pick(values, field);
  return value === '' ? 0 : number(value, OCI_SPELLED[field], row);
}

/** `tags/<namespace>.<key>` (defined tags) and `tags/<key>` (free-form tags) columns; the key is the tag's name. */
function tags(values: Record<string, string>, row: number): Record<string, string> {
  const out: [string, string][] = [];
  for (const [column, raw] of Object.entries(values)) {
    if (!column.startsWith(TAG_PREFIX)) continue;
    const key = column.slice(TAG_PREFIX.length);
    const value = present(raw);
    if (key === '' || value === '') continue;
    if (isPrototypeKey(key)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `row ${row}: a tag column is named "${column}", which is not allowed`);
    }
    out.push([key, value]);
  }
  return Object.fromEntries(out);
}

/** additional_info: the account also as `Account ID` (upstream's routing key), then the line's context. */
const ADDITIONAL: [string, OciField][] = [
  ['Account ID', 'tenantId'],
  ['Compartment Id', 'compartmentId'],
  ['Compartment Name', 'compartmentName'],
  ['Availability Domain', 'availabilityDomain'],
  ['Subscription Id', 'subscriptionId'],
  ['Resource Type', 'resourceType'],
  ['Product SKU', 'productSku'],
  ['Description', 'description'],
  ['Reference No', 'referenceNo'],
  ['Back Reference No', 'backReference'],
  ['Overage Flag', 'overageFlag'],
  ['Usage End', 'end'],
];

/** Numbers kept in `data`, under Oracle's column names. */
const DATA: OciField[] = ['myCost', 'myCostOverage', 'unitPrice', 'unitPriceOverage', 'billedQuantityOverage'];

export function ociRow(values: Record<string, string>, row: number, day: string, settings: OciSettings): CostInfo {
  const field = MEASURE_FIELD[settings.costMeasure];
  if (lacksColumn(values, hasColumn(values, field))) {
    throw new PluginError('ERROR_REQUIRED_PARAMETER', `row ${row}: Required parameter. (key = ${OCI_SPELLED[field]})`);
  }
  checkCurrency(pick(values, 'currency'), settings.currency, OCI_SPELLED.currency, row);
  const out: CostInfo = {
    cost: amount(values, field, row),
    billed_date: day,
    provider: 'oci',
    tags: tags(values, row),
    additional_info: {},
    data: {},
  };
  const quantity = pick(values, 'billedQuantity');
  if (quantity) out.usage_quantity = number(quantity, OCI_SPELLED.billedQuantity, row);
  const sku = pick(values, 'productSku');
  const description = pick(values, 'description');
  const text: [keyof CostInfo, string][] = [
    ['usage_unit', pick(values, 'billingUnit') || pick(values, 'skuUnit')],
    ['region_code', pick(values, 'region')],
    ['product', pick(values, 'service')],
    // The part number alone is opaque (B93113); with the description it reads as what was used.
    ['usage_type', [sku, description].filter(Boolean).join(' ')],
    ['resource', pick(values, 'resourceId')],
  ];
  for (const [name, value] of text) if (value) (out as Record<string, unknown>)[name] = value;
  for (const [name, source] of ADDITIONAL) {
    const value = pick(values, source);
    if (value) out.additional_info![name] = value;
  }
  if (/^(true|y|yes|1)$/i.test(pick(values, 'isCorrection'))) out.additional_info!.Correction = 'true';
  for (const source of DATA) {
    const value = pick(values, source);
    if (value) out.data![OCI_SPELLED[source]] = number(value, OCI_SPELLED[source], row);
  }
  return out;
}
