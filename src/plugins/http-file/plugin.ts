import type { AccessPolicy } from '../access/policy.js';
import type { PluginClient } from '../plugin.js';
import { PluginError } from '../plugin.js';
import { storeFor } from '../files/locations.js';
import { baseUrls, pages } from '../files/options.js';
import { fileRecords, flatRecord } from '../files/records.js';
import { mapRow, parseHttpFileOptions } from './row-mapping.js';

/**
 * The built-in `http-file` plugin (spec §8): CSV files (or JSON lines, Parquet; plain or gzip;
 * files/records.ts) at the URLs of `options.base_url` (any location of files/locations.ts), one task per URL, rows mapped by `field_mapper` and
 * `default_vars`, streamed in pages of 1000. Every sync replaces all earlier rows
 * (`changed: [{start: "1900-01"}]` per task, as upstream). See docs/plugins.md.
 */
export function makeHttpFilePlugin(access: AccessPolicy): PluginClient {
  return {
    async init({ options }) {
      parseHttpFileOptions(options ?? {});
      return { metadata: { data_source_rules: [], currency: typeof options?.currency === 'string' ? options.currency : 'USD' } };
    },
    async verify({ options, secret_data }) {
      for (const url of baseUrls(options)) await (await storeFor(url, { access, secret: secret_data ?? {} })).check(url);
      parseHttpFileOptions(options ?? {});
    },
    async getTasks({ options, secret_data }) {
      const urls = baseUrls(options);
      for (const url of urls) await (await storeFor(url, { access, secret: secret_data ?? {} })).check(url);
      parseHttpFileOptions(options);
      return {
        tasks: urls.map((url) => ({ task_options: { base_url: url } })),
        changed: urls.map(() => ({ start: '1900-01' })),
      };
    },
    async *getData({ options, secret_data, task_options }, signal) {
      const url = typeof task_options?.base_url === 'string' ? task_options.base_url : '';
      if (!url) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = task_options.base_url)');
      const mapping = parseHttpFileOptions(options ?? {});
      async function* rows() {
        const store = await storeFor(url, { access, secret: secret_data ?? {} });
        for await (const { values, row } of fileRecords(url, store, signal)) {
          const mapped = mapRow(
            flatRecord(values, (name) => name),
            row,
            mapping,
          );
          if (mapped) yield mapped;
        }
      }
      yield* pages(rows());
    },
  };
}
