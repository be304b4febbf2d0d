import type { AccessPolicy } from '../access/policy.js';
import { type Nested, makeExportPlugin } from '../exports/export-plugin.js';
import type { PluginClient } from '../plugin.js';
import { type GcpSettings, gcpDay, gcpRow, gcpSettings } from './gcp-row.js';

/**
 * The built-in `gcp-billing-export` plugin: the Cloud Billing export to BigQuery (standard and
 * detailed usage cost), extracted to files — JSON lines or Parquet as BigQuery writes them, or
 * CSV from a flattening query; plain or gzip — at the URLs of `options.base_url`, one task per
 * file and billing month (exports/export-plugin.ts). `options.cost_measure`: with_credits
 * (default), without_credits or list; `options.currency` (default USD): a row in another
 * currency fails its task. See docs/plugins/gcp-billing-export.md.
 */
export function makeGcpBillingPlugin(access: AccessPolicy): PluginClient {
  return makeExportPlugin<GcpSettings, Nested>({ shape: 'nested', settings: gcpSettings, day: gcpDay, row: gcpRow }, access);
}
