import type { AccessPolicy } from '../access/policy.js';
import { makeExportPlugin } from '../exports/export-plugin.js';
import type { PluginClient } from '../plugin.js';
import { azureColumn } from './azure-columns.js';
import { type AzureSettings, azureDay, azureRow, azureSettings } from './azure-row.js';

/**
 * The built-in `azure-cost-export` plugin: Azure Cost Management exports (cost and usage
 * details, actual or amortized; EA and MCA schemas and their older spellings), CSV plain or
 * gzip, JSON lines or Parquet, at the URLs of `options.base_url`, one task per file and billing
 * month (exports/export-plugin.ts). `options.cost_measure`: billing (default), pricing or usd;
 * `options.currency` (default USD): a row in another currency fails its task.
 * See docs/plugins/azure-cost-export.md.
 */
export function makeAzureExportPlugin(access: AccessPolicy): PluginClient {
  return makeExportPlugin<AzureSettings>({ settings: azureSettings, column: azureColumn, day: azureDay, row: azureRow }, access);
}
