import { present } from '../exports/values.js';

/**
 * Azure Cost Management export columns, every schema family made one. EA exports spell columns
 * in PascalCase (`CostInBillingCurrency`), MCA exports in camelCase (`costInBillingCurrency`),
 * and older EA and Consumption-API files use other names for the same thing (`Cost`,
 * `UsageDateTime`, `InstanceId`). Column names are read in lower case (azureColumn), and each
 * field lists the lower-case names that carry it, most specific first: a row takes the first of
 * them that has a value, so a file holding two spellings of one field never depends on their
 * column order. This is the only place that knows a column's name.
 */
export const AZURE_COLUMNS = {
  date: ['date', 'usagedatetime', 'usagedate'],
  // Older EA files have both: SubscriptionId is then a numeric id, SubscriptionGuid the subscription.
  subscription: ['subscriptionguid', 'subscriptionid'],
  subscriptionName: ['subscriptionname'],
  location: ['resourcelocation', 'instancelocation', 'location'],
  meterCategory: ['metercategory', 'servicename'],
  meterSubCategory: ['metersubcategory', 'servicetier'],
  meterName: ['metername'],
  meterId: ['meterid', 'resourceguid'],
  consumedService: ['consumedservice'],
  productName: ['productname', 'product'],
  serviceFamily: ['servicefamily'],
  // MCA files before ResourceId wrote the Azure Resource Manager id as instanceName.
  resource: ['resourceid', 'instanceid', 'instancename'],
  resourceGroup: ['resourcegroup', 'resourcegroupname'],
  quantity: ['quantity', 'consumedquantity', 'usagequantity'],
  unit: ['unitofmeasure'],
  tags: ['tags'],
  billingCurrency: ['billingcurrencycode', 'billingcurrency', 'currency'],
  pricingCurrency: ['pricingcurrencycode', 'pricingcurrency'],
  billingCost: ['costinbillingcurrency', 'cost', 'pretaxcost', 'extendedcost'],
  pricingCost: ['costinpricingcurrency'],
  usdCost: ['costinusd'],
  paygBillingCost: ['paygcostinbillingcurrency'],
  paygUsdCost: ['paygcostinusd'],
  effectivePrice: ['effectiveprice', 'resourcerate'],
  unitPrice: ['unitprice'],
  paygPrice: ['paygprice'],
  exchangeRate: ['exchangeratepricingtobilling'],
  chargeType: ['chargetype'],
  pricingModel: ['pricingmodel'],
  frequency: ['frequency', 'billingfrequency'],
  term: ['term'],
  publisherType: ['publishertype'],
  publisherName: ['publishername'],
  reservationId: ['reservationid'],
  reservationName: ['reservationname'],
  benefitId: ['benefitid'],
  benefitName: ['benefitname'],
  billingAccountId: ['billingaccountid'],
  billingAccountName: ['billingaccountname'],
  billingProfileId: ['billingprofileid'],
  billingProfileName: ['billingprofilename'],
  invoiceSection: ['invoicesectionname', 'departmentname'],
  enrollmentAccount: ['accountname', 'enrollmentaccountname'],
  costCenter: ['costcenter'],
  // Azure's own exports name their type (ActualCost, AmortizedCost) only in the export's
  // definition and manifest; files that tools merged or rewrote may carry it as a column.
  metric: ['metric', 'costtype', 'exporttype'],
} as const satisfies Record<string, readonly string[]>;

export type AzureField = keyof typeof AZURE_COLUMNS;

/** How a file's column is read: its name in lower case (Azure's own files differ in case only). */
export function azureColumn(name: string): string {
  return name.toLowerCase();
}

/** The first value the field's columns give; '' when none has one. */
export function pick(values: Record<string, string>, field: AzureField): string {
  for (const column of AZURE_COLUMNS[field]) {
    const value = present(values[column]);
    if (value !== '') return value;
  }
  return '';
}

/** Whether the file has a column for the field at all, empty or not. */
export function hasColumn(values: Record<string, string>, field: AzureField): boolean {
  return AZURE_COLUMNS[field].some((column) => values[column] !== undefined);
}

/** The field's columns as Azure spells them, for error messages. */
export const SPELLED: Partial<Record<AzureField, string>> = {
  date: 'Date / date (or UsageDateTime)',
  quantity: 'Quantity / quantity',
  billingCurrency: 'BillingCurrencyCode / billingCurrency',
  pricingCurrency: 'PricingCurrencyCode / pricingCurrency',
  billingCost: 'CostInBillingCurrency / costInBillingCurrency (or Cost)',
  pricingCost: 'CostInPricingCurrency / costInPricingCurrency',
  usdCost: 'costInUsd',
};
