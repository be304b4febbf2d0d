import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AccessPolicy } from '../../access/policy.js';
import { isPrototypeKey } from '../../../query/input.js';
import type { Struct } from '../../plugin.js';
import { PluginError } from '../../plugin.js';
import type { FileStore, StoreContext, StoreKind } from '../store.js';

const MAX_REDIRECTS = 5;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `http://` and `https://` locations, through the access policy: a connection only to an
 * allowed address (checked at connect time, and again for every redirect, followed here at
 * most five times). `secret_data.headers` (name → value, e.g. Authorization) is sent with
 * every request to the URL's own origin, and dropped on a redirect to another origin.
 * Failures are PluginErrors: a network failure or a 5xx is transient, a 4xx is not; no
 * header value is ever in a message. HTTP cannot list a folder: each file is named, or a
 * CUR manifest names them.
 */
export const httpFiles: StoreKind = {
  schemes: ['http:', 'https:'],
  make: ({ access, secret }: StoreContext): FileStore => {
    const headers = secretHeaders(secret);
    return {
      // biome-ignore lint/correctness/useYield: listing is refused before anything is yielded
      async *list(prefix) {
        throw new PluginError(
          'ERROR_INVALID_PARAMETER',
          `${prefix}: an HTTP server cannot be listed; name each file, or the report's CUR manifest (…-Manifest.json)`,
        );
      },
      open: (url, signal) => get(url, access, headers, signal),
      async check(url) {
        const target = new URL(url);
        await access.host(target.hostname, Number(target.port || (target.protocol === 'https:' ? 443 : 80)));
      },
      async size(url, signal) {
        const response = await get(url, access, { ...headers, range: 'bytes=0-0' }, signal);
        response.resume();
        const total = /\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''))?.[1] ?? response.headers['content-length'];
        if (total === undefined) throw new PluginError('ERROR_UNKNOWN', `${url}: the server does not tell the file's size`);
        return Number(total);
      },
      async range(url, start, end, signal) {
        if (end <= start) return new Uint8Array(0);
        const response = await get(url, access, { ...headers, range: `bytes=${start}-${end - 1}` }, signal);
        const chunks: Buffer[] = [];
        for await (const chunk of response) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        // A server that ignores Range sends the whole file (200): cut the range out of it.
        return response.statusCode === 206 ? body : body.subarray(start, end);
      },
    };
  },
};

/** `secret_data.headers`: an object of header names to string values. */
export function secretHeaders(secret: Struct): Record<string, string> {
  const value = Object.hasOwn(secret, 'headers') ? secret.headers : undefined;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.headers must be an object of header names to values');
  }
  const headers: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (isPrototypeKey(name) || !TOKEN.test(name))
      throw new PluginError('ERROR_INVALID_PARAMETER', `secret_data.headers: "${name}" is not a header name`);
    if (typeof text !== 'string' || /[\r\n]/.test(text)) {
      throw new PluginError('ERROR_INVALID_PARAMETER', `secret_data.headers.${name} must be one line of text`);
    }
    headers[name.toLowerCase()] = text;
  }
  return headers;
}

async function get(url: string, access: AccessPolicy, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
  let target = new URL(url);
  const origin = target.origin;
  for (let redirects = 0; ; redirects++) {
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new PluginError('ERROR_INVALID_PARAMETER', `${url}: redirected to a ${target.protocol} URL`);
    }
    await access.host(target.hostname, Number(target.port || (target.protocol === 'https:' ? 443 : 80)));
    const sent = target.origin === origin ? headers : Object.hasOwn(headers, 'range') ? { range: headers.range } : {};
    const response = await request(target, access, sent, signal, url);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (redirects === MAX_REDIRECTS) throw new PluginError('ERROR_UNKNOWN', `${url}: more than ${MAX_REDIRECTS} redirects`);
      target = new URL(response.headers.location, target);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new PluginError('ERROR_UNKNOWN', `HTTP Error ${status}: ${response.statusMessage ?? ''} (${url})`, status >= 500);
    }
    return response;
  }
}

function request(
  target: URL,
  access: AccessPolicy,
  headers: Record<string, string>,
  signal: AbortSignal,
  url: string,
): Promise<IncomingMessage> {
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const call = send(target, { method: 'GET', headers, lookup: access.lookup, signal }, resolve);
    call.once('error', (error: Error) => {
      if (signal.aborted) return reject(signal.reason);
      if (error instanceof PluginError) return reject(error);
      reject(new PluginError('ERROR_UNAVAILABLE', `${url}: ${error.message}`, true));
    });
    call.end();
  });
}
