import { PluginError } from '../../plugin.js';
import type { FileStore } from '../store.js';

/** The records of a Parquet file, read row group by row group through `store.range`. */
// biome-ignore lint/correctness/useYield: not read yet
export async function* parquetValues(url: string, _store: FileStore, _signal: AbortSignal): AsyncGenerator<Record<string, unknown>> {
  throw new PluginError('ERROR_INVALID_PARAMETER', `${url} is a Parquet file; Parquet is not read yet`);
}
