import type { AccessPolicy } from '../access/policy.js';
import { choiceOption, currencyOption, makeExportPlugin } from '../exports/export-plugin.js';
import type { PluginClient } from '../plugin.js';
import { curColumn } from './cur-columns.js';
import { COST_MEASURES, type CurSettings, curDay, curRow } from './cur-row.js';

/**
 * The built-in `aws-cur` plugin: AWS Cost and Usage Reports, legacy (`lineItem/…` columns) and
 * CUR 2.0 / Data Exports (`line_item_…`), CSV (plain or gzip) or Parquet, at the URLs of `options.base_url`,
 * one task per file and billing month (exports/export-plugin.ts). `options.cost_measure`:
 * unblended (default), net_unblended, blended or amortized; `options.currency` (default USD):
 * a line item in another currency fails its task. See docs/plugins/aws-cur.md.
 */
export function makeAwsCurPlugin(access: AccessPolicy): PluginClient {
  return makeExportPlugin<CurSettings>(
    {
      settings: (options) => ({ costMeasure: choiceOption(options, 'cost_measure', COST_MEASURES), currency: currencyOption(options) }),
      column: curColumn,
      day: curDay,
      row: curRow,
    },
    access,
  );
}
