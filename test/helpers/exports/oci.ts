import { makeOciReportPlugin } from '../../../src/plugins/oci-report/plugin.js';
import { sums } from '../export-sums.js';
import { type Column as ColumnOf, columnCsv, columnRecords, type ExportFixture } from './fixture.js';

/**
 * OCI cost reports, generated from Oracle's column list: hourly lines in three tenancies over two
 * months, overage lines, corrections (reversals of earlier lines, naming them), defined and
 * free-form tag columns, lines without a region or a resource, one line whose hour ends in the
 * next month. csv() writes them as Oracle does (gzip them for the delivered `.csv.gz`), with the
 * header as the column list spells it or in another case (otherCase).
 */
export interface Line {
  ref: string;
  tenant: string;
  start: string;
  end: string;
  service: string;
  compartment: string;
  region: string;
  resourceId: string;
  sku: string;
  description: string;
  quantity: number;
  quantityOverage?: number;
  unitPrice: number;
  myCost: number;
  myCostOverage?: number;
  correctionOf?: string;
  tags: Record<string, string>;
}

export const TENANTS = ['ocid1.tenancy.oc1..aaaa1', 'ocid1.tenancy.oc1..aaaa2', 'ocid1.tenancy.oc1..aaaa3'];
export const SKUS: [string, string, string][] = [
  ['B93113', 'Compute - Standard - E4 - OCPU', 'COMPUTE'],
  ['B91961', 'Storage - Block Volume - Storage', 'BLOCK_STORAGE'],
  ['B88327', 'Networking - Outbound Data Transfer', 'NETWORK'],
];
const round = (n: number) => Math.round(n * 1e6) / 1e6;
const hour = (h: number) => String(h).padStart(2, '0');

/** 240 report lines, July and August 2025 alternating. */
export function lines(): Line[] {
  const out: Line[] = [];
  for (let i = 0; i < 240; i++) {
    const [sku, description, service] = SKUS[i % 3];
    const month = i % 2 === 0 ? '2025-07' : '2025-08';
    const day = String(1 + (i % 28)).padStart(2, '0');
    // One hour that ends in August: billed to July, the month it starts in.
    const start = i === 2 ? '2025-07-31T23:00Z' : `${month}-${day}T${hour(i % 24)}:00Z`;
    const end = i === 2 ? '2025-08-01T00:00Z' : `${month}-${day}T${hour(i % 24)}:59Z`;
    const quantity = (i % 11) + 1;
    const unitPrice = [0.0425, 0.0255, 0.0085][i % 3];
    const line: Line = {
      ref: `ref-${i}`,
      tenant: TENANTS[i % 3],
      start,
      end,
      service,
      compartment: `ocid1.compartment.oc1..c${i % 4}`,
      region: i % 9 === 0 ? '' : ['us-ashburn-1', 'eu-frankfurt-1'][i % 2],
      resourceId: i % 8 === 0 ? '' : `ocid1.instance.oc1.iad.r${i}`,
      sku,
      description,
      quantity,
      unitPrice,
      myCost: round(quantity * unitPrice),
      ...(i % 6 === 5 ? { quantityOverage: 1, myCostOverage: unitPrice } : {}),
      tags: {
        ...(i % 2 === 0 ? { 'Oracle-Tags.CreatedBy': `user${i % 3}@example.com` } : {}),
        ...(i % 4 === 1 ? { team: 'data' } : {}),
      },
    };
    // A correction reverses an earlier line of the same month (18 lines back), in that line's tenancy and hour.
    if (i % 20 === 19)
      Object.assign(line, {
        myCost: -out[i - 18].myCost,
        correctionOf: out[i - 18].ref,
        tenant: out[i - 18].tenant,
        start: out[i - 18].start,
      });
    out.push(line);
  }
  return out;
}

/** A report column: Oracle's name, and the line's value in it (empty text or undefined: an empty cell). */
export type Column = ColumnOf<Line>;
export const COLUMNS: Column[] = [
  ['lineItem/referenceNo', (l) => l.ref],
  ['lineItem/tenantId', (l) => l.tenant],
  ['lineItem/intervalUsageStart', (l) => l.start],
  ['lineItem/intervalUsageEnd', (l) => l.end],
  ['product/service', (l) => l.service],
  ['product/resource', (l) => `PIC_${l.service}`],
  ['product/compartmentId', (l) => l.compartment],
  ['product/compartmentName', (l) => `team-${l.compartment.slice(-1)}`],
  ['product/region', (l) => l.region],
  ['product/availabilityDomain', (l) => (l.region ? 'AD-1' : '')],
  ['product/resourceId', (l) => l.resourceId],
  ['usage/billedQuantity', (l) => l.quantity],
  ['usage/billedQuantityOverage', (l) => l.quantityOverage],
  ['cost/subscriptionId', () => '12345678'],
  ['cost/productSku', (l) => l.sku],
  ['product/Description', (l) => l.description],
  ['cost/unitPrice', (l) => l.unitPrice],
  ['cost/unitPriceOverage', (l) => (l.myCostOverage === undefined ? undefined : l.unitPrice)],
  ['cost/myCost', (l) => l.myCost],
  ['cost/myCostOverage', (l) => l.myCostOverage],
  ['cost/currencyCode', () => 'USD'],
  ['cost/billingUnitReadable', () => 'OCPU HOURS'],
  ['cost/skuUnitDescription', () => 'OCPU Per Hour'],
  ['cost/overageFlag', (l) => (l.myCostOverage === undefined ? 'N' : 'Y')],
  ['lineItem/isCorrection', (l) => (l.correctionOf ? 'true' : 'false')],
  ['lineItem/backreferenceNo', (l) => l.correctionOf],
  ['tags/Oracle-Tags.CreatedBy', (l) => l.tags['Oracle-Tags.CreatedBy']],
  ['tags/team', (l) => l.tags.team],
];

/** The report file of `list`: a header of `columns` (their names through `rename`), one line per line. */
export const csv = (columns: readonly Column[], list: readonly Line[], rename?: (name: string) => string) =>
  columnCsv(columns, list, rename);

/** The same header as older reports and other tools spell it. */
export const otherCase = (name: string) =>
  name === 'lineItem/tenantId'
    ? 'lineItem/TenantId'
    : name === 'product/Description'
      ? 'product/description'
      : name.startsWith('tags/')
        ? name
        : name.toUpperCase();

/**
 * The generated report for the export matrix: every line of lines() over COLUMNS, loaded with
 * `cost_measure` `measure`. Each line is one cost row, billed to the month its hour starts in
 * and to its tenancy; its cost is cost/myCost, or cost/myCostOverage (nothing: 0) for
 * my_cost_overage (docs/plugins/oci-cost-report.md).
 */
export function ociFixture(measure: 'my_cost' | 'my_cost_overage' = 'my_cost'): ExportFixture {
  const list = lines();
  const records = columnRecords(COLUMNS, list);
  const cost = (l: Line) => (measure === 'my_cost' ? l.myCost : (l.myCostOverage ?? 0));
  return {
    pluginId: 'oci-cost-report',
    plugin: makeOciReportPlugin,
    options: { cost_measure: measure },
    records,
    csv: () => csv(COLUMNS, list),
    expected: {
      rows: list.length,
      sums: sums(list.map((l) => ({ cost: cost(l), month: l.start.slice(0, 7), account: l.tenant }))),
    },
  };
}
