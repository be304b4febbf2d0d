import type { AccessPolicy } from '../access/policy.js';
import { choiceOption, currencyOption, makeExportPlugin } from '../exports/export-plugin.js';
import type { PluginClient } from '../plugin.js';
import { COST_COLUMNS, type FocusSettings, focusDay, focusRow } from './focus-row.js';

/**
 * The built-in `focus` plugin: FOCUS cost-and-usage exports (1.0–1.2; CSV, JSON lines or Parquet, plain or gzip; files/) at
 * the URLs of `options.base_url`, one task per file and billing month (exports/export-plugin.ts).
 * `options.cost_column` picks the cost measure (BilledCost, EffectiveCost, ListCost or
 * ContractedCost; default BilledCost); `options.currency` (default USD) is the data source's
 * currency, and a row whose BillingCurrency differs fails its task. See docs/plugins.md.
 */
export function makeFocusPlugin(access: AccessPolicy): PluginClient {
  return makeExportPlugin<FocusSettings>(
    {
      settings: (options) => ({ costColumn: choiceOption(options, 'cost_column', COST_COLUMNS), currency: currencyOption(options) }),
      day: focusDay,
      row: focusRow,
    },
    access,
  );
}
