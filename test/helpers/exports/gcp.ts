import { makeGcpBillingPlugin } from '../../../src/plugins/gcp-billing/plugin.js';
import { sums } from '../export-sums.js';
import { type ExportFixture, csvCell } from './fixture.js';

/**
 * Cloud Billing exports to BigQuery, generated from Google's schema: standard and detailed
 * (resource-level) rows over two months, credits of several types (some rows with none, null
 * or an empty list), tax, negative adjustment and rounding-error rows, rows of no project,
 * labels of resources, projects and Resource Manager tags, timestamps as BigQuery writes them
 * (`… UTC`, with fractions) and ISO; usage that starts on the last hour of a month and ends in
 * the next, and late-reported usage invoiced a month later. Written as BigQuery's JSON lines
 * (nulls omitted or written out) or as CSV flattened by a query (`parent_field` or dotted
 * names). Each row carries the month and project it is billed to, its cost and its credits.
 */
export type Json = Record<string, unknown>;
export const ACCOUNT = '01A2B3-C4D5E6-F7A8B9';
const PROJECTS = [
  { id: 'shop-prod', number: '111111111111', name: 'Shop', labels: [{ key: 'team', value: 'platform' }] },
  { id: 'shop-dev', number: '222222222222', name: null, labels: [] },
  { id: 'data-lake', number: '333333333333', name: 'Data lake', labels: [{ key: 'cost-center', value: 'cc-7' }] },
];
const CREDIT_TYPES = 'SUSTAINED_USAGE_DISCOUNT COMMITTED_USAGE_DISCOUNT FREE_TIER PROMOTION COMMITTED_USAGE_DISCOUNT_DOLLAR_BASE'.split(
  ' ',
);
const COST_TYPES = ['regular', 'regular', 'regular', 'tax', 'regular', 'adjustment', 'regular', 'rounding error'];

/** One generated row: the record, the month (of usage start) and account (project, else billing account) it is billed to. */
export interface Item {
  detailed: boolean;
  record: Json;
  month: string;
  account: string;
  cost: number;
  credits: number;
}

export const label = (key: string, value: string) => ({ key, value });
const LOCATIONS = [
  null,
  { location: 'us', country: 'US', region: null, zone: null },
  { location: 'us-central1', country: 'US', region: 'us-central1', zone: 'us-central1-a' },
];
const ADJUSTMENT = { description: 'Billing correction', mode: 'MANUAL_ADJUSTMENT', type: 'GENERAL_ADJUSTMENT' };
/** BigQuery's JSON and CSV spelling of a TIMESTAMP, with microseconds when `fraction`. */
const bq = (t: number, fraction: boolean) => `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}${fraction ? '.250000' : ''} UTC`;

function record(i: number, start: number, invoiceMonth: string): Json {
  const detailed = i % 2 === 1;
  const costType = COST_TYPES[i % COST_TYPES.length];
  const project = costType === 'tax' && i % 3 === 0 ? null : PROJECTS[i % 3];
  const cost = costType === 'adjustment' ? -((i % 3) + 1) / 2 : costType === 'rounding error' ? -1 / 64 : ((i % 13) + 1) / 8;
  const credits =
    costType !== 'regular' || i % 4 === 2
      ? null
      : i % 5 === 4
        ? []
        : [0, 1, 2].slice(0, 1 + (i % 3)).map((k) => ({
            name: `${CREDIT_TYPES[(i + k) % CREDIT_TYPES.length]} credit`,
            amount: -cost / 2 ** (k + 2),
            full_name: k === 0 ? null : 'Some credit',
            id: `credit-${(i + k) % CREDIT_TYPES.length}`,
            type: CREDIT_TYPES[(i + k) % CREDIT_TYPES.length],
          }));
  const regular = costType === 'regular';
  const hours = (i % 24) + 1;
  const time = (t: number) => (i % 3 === 2 ? new Date(t).toISOString() : bq(t, i % 3 === 1));
  return {
    billing_account_id: ACCOUNT,
    service: { id: i % 4 === 0 ? '95FF-2EF5-5EA1' : '6F81-5844-456A', description: i % 4 === 0 ? 'Cloud Storage' : 'Compute Engine' },
    sku: { id: `SKU-${i % 9}`, description: `SKU ${i % 9}` },
    usage_start_time: time(start),
    usage_end_time: time(start + 3_600_000),
    project: project && { ...project, ancestry_numbers: `/9/${project.number}/`, ancestors: [{ resource_name: 'organizations/9' }] },
    labels: i % 3 === 0 ? [label('team', `t${i % 4}`), label('env', 'prod')] : [],
    system_labels: i % 5 === 0 ? [{ key: 'compute.googleapis.com/machine_spec', value: 'e2-medium' }] : [],
    location: LOCATIONS[Math.min(i % 11, 2)],
    ...(detailed
      ? { resource: i % 6 === 1 ? null : { name: `vm-${i}`, global_name: `//compute.googleapis.com/projects/p/instances/${i}` } }
      : {}),
    tags: i % 7 === 0 ? [{ key: 'env', value: 'production', inherited: true, namespace: '123456789012' }] : [],
    price: { effective_price: String(cost / 4), tier_start_amount: '0', unit: 'hour', pricing_unit_quantity: 1 },
    transaction_type: 'GOOGLE',
    seller_name: null,
    export_time: bq(start + 7_200_000, true),
    cost,
    currency: 'USD',
    currency_conversion_rate: 1,
    usage: { amount: regular ? hours : 0, unit: regular ? 'seconds' : null, amount_in_pricing_units: hours / 4, pricing_unit: 'hour' },
    credits,
    invoice: { month: invoiceMonth },
    cost_type: costType,
    adjustment_info: costType === 'adjustment' ? { ...ADJUSTMENT, id: `adj-${i}` } : null,
    cost_at_list: i % 10 === 5 ? null : cost * 1.25,
  };
}

/** The rows of both tables, in file order: standard rows at even indexes, detailed ones at odd. */
export function items(): Item[] {
  const out: Item[] = [];
  const add = (i: number, start: number, invoiceMonth: string) => {
    const r = record(i, start, invoiceMonth);
    if (i >= 320) r.sku = { id: `SKU-${i}`, description: 'Edge of the month' };
    const credits = ((r.credits as { amount: number }[] | null) ?? []).reduce((sum, c) => sum + c.amount, 0);
    const project = r.project as { id: string } | null;
    const month = new Date(start).toISOString().slice(0, 7);
    out.push({ detailed: i % 2 === 1, record: r, month, account: project?.id ?? ACCOUNT, cost: r.cost as number, credits });
  };
  for (let i = 0; i < 320; i++) {
    const month = Math.floor(i / 2) % 2 === 0 ? 6 : 7;
    add(i, Date.UTC(2025, month, 1 + ((i * 7) % 31), i % 24), `20250${month + 1}`);
  }
  // Usage that starts on the last hour of July and ends in August is July's (FOCUS), and so is
  // late-reported July usage that Google invoices in August.
  add(320, Date.UTC(2025, 6, 31, 23), '202507');
  add(321, Date.UTC(2025, 6, 30, 5), '202508');
  return out;
}

/** BigQuery's JSON lines: NULL fields left out (`omit`), or written as null. */
export function jsonLines(list: Item[], omit: boolean): string {
  const replacer = omit ? (_key: string, value: unknown) => (value === null ? undefined : value) : undefined;
  return `${list.map((item) => JSON.stringify(item.record, replacer)).join('\n')}\n`;
}

/** The columns of a flattening query: nested fields by their path, repeated ones as JSON. */
export const LEAVES = `billing_account_id service.id service.description sku.id sku.description usage_start_time usage_end_time
  project.id project.number project.name project.labels labels system_labels location.location location.country location.region
  location.zone resource.name resource.global_name tags price.effective_price transaction_type export_time cost currency
  currency_conversion_rate usage.amount usage.unit usage.amount_in_pricing_units usage.pricing_unit credits invoice.month cost_type
  adjustment_info.type adjustment_info.description cost_at_list`.split(/\s+/);

/** What `EXPORT DATA … format='CSV' AS SELECT service.description AS service_description, TO_JSON_STRING(labels) AS labels, …` writes. */
export function flatCsv(list: Item[], dotted: boolean, leaves = LEAVES): string {
  const get = (r: Json, path: string) => path.split('.').reduce<unknown>((v, k) => (v as Json | null)?.[k], r);
  const header = leaves.map((p) => (dotted ? p : p.replace('.', '_')));
  return `${[header.join(','), ...list.map((item) => leaves.map((p) => csvCell(get(item.record, p))).join(','))].join('\n')}\n`;
}

/**
 * Both tables' rows in one export: the nested records as BigQuery's JSON writes them (nulls
 * written as null), its JSON lines with nulls left out, and the `parent_field` CSV of a
 * flattening query. Expected: each row's cost (plus its credits, `with_credits`) per month of
 * usage start and project, else billing account.
 */
export function gcpFixture(credits: 'with_credits' | 'without_credits' = 'with_credits'): ExportFixture {
  const list = items();
  return {
    pluginId: 'gcp-billing-export',
    plugin: makeGcpBillingPlugin,
    options: { cost_measure: credits },
    records: list.map((item) => item.record),
    csv: () => flatCsv(list, false),
    jsonLines: () => jsonLines(list, true),
    expected: {
      rows: list.length,
      sums: sums(list.map((i) => ({ cost: i.cost + (credits === 'with_credits' ? i.credits : 0), month: i.month, account: i.account }))),
    },
  };
}
