import type { Readable } from 'node:stream';
import type { AccessPolicy } from '../access/policy.js';
import type { Struct } from '../plugin.js';
import { PluginError } from '../plugin.js';

/**
 * Where export files live. Every location — a local folder, an HTTP server, an S3 bucket, an
 * Azure Blob container — is one FileStore: it lists the files under a prefix, streams a file,
 * and reads byte ranges (Parquet is read footer first, then row group by row group).
 * Credentials come from the data source's `secret_data` only; no store logs them or puts
 * them in an error message, and every connection goes through the operator's access policy.
 */
export interface FileEntry {
  /** The file's URL, as a task names it (`task_options.base_url`). */
  readonly url: string;
  /** Its size in bytes, when the listing tells. */
  readonly size?: number;
}

export interface FileStore {
  /**
   * Every file whose URL starts with `prefix` (recursively, in name order). A store that
   * cannot list (plain HTTP) throws a PluginError saying so.
   */
  list(prefix: string, signal: AbortSignal): AsyncIterable<FileEntry>;
  /** The file's bytes as a stream (backpressure holds: bytes are read as the reader pulls). */
  open(url: string, signal: AbortSignal): Promise<Readable>;
  /** The file's size in bytes. */
  size(url: string, signal: AbortSignal): Promise<number>;
  /** Bytes [start, end) of the file. */
  range(url: string, start: number, end: number, signal: AbortSignal): Promise<Uint8Array>;
  /** Checks, without reading, that the access policy lets the location be reached (verify, planning). */
  check(url: string): Promise<void>;
}

/** What a store is made with: the operator's access policy and the data source's secret. */
export interface StoreContext {
  readonly access: AccessPolicy;
  readonly secret: Struct;
}

/** A store for the URL schemes it claims (e.g. `s3:`), made per call with its context. */
export interface StoreKind {
  /** The URL schemes, with the colon, as `new URL().protocol` gives them. */
  readonly schemes: readonly string[];
  /** Claims an URL of another scheme too (an Azure Blob `https://…blob.core.windows.net/…`). */
  claims?(url: URL): boolean;
  make(context: StoreContext): FileStore | Promise<FileStore>;
}

/** Parses a location; a PluginError that lists the schemes when it is not one. */
export function parseLocation(url: string, kinds: readonly StoreKind[]): { url: URL; kind: StoreKind } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}" is not a URL (${schemeList(kinds)})`);
  }
  const kind = kinds.find((k) => k.claims?.(parsed)) ?? kinds.find((k) => k.schemes.includes(parsed.protocol));
  if (!kind) throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}": supported locations are ${schemeList(kinds)}`);
  return { url: parsed, kind };
}

function schemeList(kinds: readonly StoreKind[]): string {
  return kinds.flatMap((k) => k.schemes.map((s) => `${s}//`)).join(', ');
}

/** `secret_data[key]` as a string (empty when absent); a PluginError when it is of another type. */
export function secretString(secret: Struct, key: string): string {
  const value = Object.hasOwn(secret, key) ? secret[key] : undefined;
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new PluginError('ERROR_INVALID_PARAMETER', `secret_data.${key} must be a string`);
  return value;
}

/** The body, destroyed when the task is aborted, so a cancelled read stops pulling bytes at once. */
export function untilAborted(body: Readable, signal: AbortSignal): Readable {
  const stop = () => body.destroy(signal.reason);
  if (signal.aborted) stop();
  signal.addEventListener('abort', stop, { once: true });
  body.once('close', () => signal.removeEventListener('abort', stop));
  return body;
}
