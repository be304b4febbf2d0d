import { present } from '../exports/values.js';

/**
 * Oracle Cloud Infrastructure cost report columns (`lineItem/…`, `product/…`, `usage/…`,
 * `cost/…`, then one `tags/<namespace>.<key>` column per tag). Oracle's own files have varied in
 * the case of a few names (`lineItem/tenantId` and `lineItem/TenantId`, `product/Description`),
 * so names are read in lower case — all but a tag column's key, which is the tag's own name and
 * keeps its case (ociColumn). Each field lists the names that carry it, most specific first.
 */
export const OCI_COLUMNS = {
  referenceNo: ['lineitem/referenceno'],
  tenantId: ['lineitem/tenantid'],
  start: ['lineitem/intervalusagestart'],
  end: ['lineitem/intervalusageend'],
  isCorrection: ['lineitem/iscorrection'],
  // Oracle's schema calls it lineItem/backreferenceNo; its overview page says lineItem/backReference.
  backReference: ['lineitem/backreferenceno', 'lineitem/backreference'],
  service: ['product/service'],
  resourceType: ['product/resource'],
  compartmentId: ['product/compartmentid'],
  compartmentName: ['product/compartmentname'],
  region: ['product/region'],
  availabilityDomain: ['product/availabilitydomain'],
  resourceId: ['product/resourceid'],
  description: ['product/description'],
  billedQuantity: ['usage/billedquantity'],
  billedQuantityOverage: ['usage/billedquantityoverage'],
  subscriptionId: ['cost/subscriptionid'],
  productSku: ['cost/productsku'],
  unitPrice: ['cost/unitprice'],
  unitPriceOverage: ['cost/unitpriceoverage'],
  myCost: ['cost/mycost'],
  myCostOverage: ['cost/mycostoverage'],
  currency: ['cost/currencycode'],
  billingUnit: ['cost/billingunitreadable'],
  skuUnit: ['cost/skuunitdescription'],
  overageFlag: ['cost/overageflag'],
} as const satisfies Record<string, readonly string[]>;

export type OciField = keyof typeof OCI_COLUMNS;

/** Oracle's spelling of each field's column, for error messages and `data` keys. */
export const OCI_SPELLED: Record<OciField, string> = {
  referenceNo: 'lineItem/referenceNo',
  tenantId: 'lineItem/tenantId',
  start: 'lineItem/intervalUsageStart',
  end: 'lineItem/intervalUsageEnd',
  isCorrection: 'lineItem/isCorrection',
  backReference: 'lineItem/backreferenceNo',
  service: 'product/service',
  resourceType: 'product/resource',
  compartmentId: 'product/compartmentId',
  compartmentName: 'product/compartmentName',
  region: 'product/region',
  availabilityDomain: 'product/availabilityDomain',
  resourceId: 'product/resourceId',
  description: 'product/Description',
  billedQuantity: 'usage/billedQuantity',
  billedQuantityOverage: 'usage/billedQuantityOverage',
  subscriptionId: 'cost/subscriptionId',
  productSku: 'cost/productSku',
  unitPrice: 'cost/unitPrice',
  unitPriceOverage: 'cost/unitPriceOverage',
  myCost: 'cost/myCost',
  myCostOverage: 'cost/myCostOverage',
  currency: 'cost/currencyCode',
  billingUnit: 'cost/billingUnitReadable',
  skuUnit: 'cost/skuUnitDescription',
  overageFlag: 'cost/overageFlag',
};

export const TAG_PREFIX = 'tags/';

export function ociColumn(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith(TAG_PREFIX) ? TAG_PREFIX + name.slice(TAG_PREFIX.length) : lower;
}

/** The first value the field's columns give; '' when none has one. */
export function pick(values: Record<string, string>, field: OciField): string {
  for (const column of OCI_COLUMNS[field]) {
    const value = present(values[column]);
    if (value !== '') return value;
  }
  return '';
}

export function hasColumn(values: Record<string, string>, field: OciField): boolean {
  return OCI_COLUMNS[field].some((column) => values[column] !== undefined);
}
