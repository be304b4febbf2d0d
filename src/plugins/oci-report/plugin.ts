import type { AccessPolicy } from '../access/policy.js';
import { makeExportPlugin } from '../exports/export-plugin.js';
import type { PluginClient } from '../plugin.js';
import { ociColumn } from './oci-columns.js';
import { type OciSettings, ociDay, ociRow, ociSettings } from './oci-row.js';

/**
 * The built-in `oci-cost-report` plugin: Oracle Cloud Infrastructure cost reports (the
 * proprietary `lineItem/…` CSV, gzip as Oracle writes it, or plain) at the URLs of
 * `options.base_url`, one task per file and billing month (exports/export-plugin.ts).
 * `options.cost_measure`: my_cost (default) or my_cost_overage; `options.currency` (default
 * USD): a line in another currency fails its task. See docs/plugins/oci-cost-report.md.
 */
export function makeOciReportPlugin(access: AccessPolicy): PluginClient {
  return makeExportPlugin<OciSettings>({ settings: ociSettings, column: ociColumn, day: ociDay, row: ociRow }, access);
}
