import type { AccessPolicy } from '../access/policy.js';
import type { PluginClient } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { checkUrl } from '../access/open-url.js';
import { baseUrls, csvRecords, pages } from './csv-source.js';
import { mapRow, parseHttpFileOptions } from './row-mapping.js';

/**
 * The built-in `http-file` plugin (spec §8): CSV files at the URLs of `options.base_url`
 * (http://, https://, file://), one task per URL, rows mapped by `field_mapper` and
 * `default_vars`, streamed in pages of 1000. Every sync replaces all earlier rows
 * (`changed: [{start: "1900-01"}]` per task, as upstream). See docs/plugins.md.
 */
export function makeHttpFilePlugin(access: AccessPolicy): PluginClient {
  return {
    async init({ options }) {
      parseHttpFileOptions(options ?? {});
      return { metadata: { data_source_rules: [], currency: typeof options?.currency === 'string' ? options.currency : 'USD' } };
    },
    async verify({ options }) {
      for (const url of baseUrls(options)) await checkUrl(url, access);
      parseHttpFileOptions(options ?? {});
    },
    async getTasks({ options }) {
      const urls = baseUrls(options);
      for (const url of urls) await checkUrl(url, access);
      parseHttpFileOptions(options);
      return {
        tasks: urls.map((url) => ({ task_options: { base_url: url } })),
        changed: urls.map(() => ({ start: '1900-01' })),
      };
    },
    async *getData({ options, task_options }, signal) {
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      if (!url) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url)');
      const mapping = parseHttpFileOptions(options ?? {});
      async function* rows() {
        for await (const { values, row } of csvRecords(url, access, signal)) {
          const mapped = mapRow(values, row, mapping);
          if (mapped) yield mapped;
        }
      }
      yield* pages(rows());
    },
  };
}
