import { createReadStream } from 'node:fs';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../plugin.js';
import type { AccessPolicy } from './policy.js';

const MAX_REDIRECTS = 5;

/**
 * Opens a `file://`, `http://` or `https://` URL as a byte stream, through the access policy:
 * a local file only under an allowed root, a connection only to an allowed address (checked at
 * connect time, and again for every redirect, which is followed here, at most five times).
 * Failures are PluginErrors: a network failure or a 5xx is transient, a 4xx is not.
 */
export async function openUrl(url: string, access: AccessPolicy, signal: AbortSignal): Promise<Readable> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}" is not a URL (http://, https:// or file://)`);
  }
  if (parsed.protocol === 'file:') return openFile(await access.file(fileURLToPath(parsed)), url);
  for (let redirects = 0; ; redirects++) {
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new PluginError('ERROR_INVALID_PARAMETER', `"${parsed.href}": only http://, https:// and file:// URLs are supported`);
    }
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    await access.host(parsed.hostname, port);
    const response = await get(parsed, access, signal, url);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (redirects === MAX_REDIRECTS) throw new PluginError('ERROR_UNKNOWN', `${url}: more than ${MAX_REDIRECTS} redirects`);
      parsed = new URL(response.headers.location, parsed);
      continue;
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new PluginError('ERROR_UNKNOWN', `HTTP Error ${status}: ${response.statusMessage ?? ''} (${url})`, status >= 500);
    }
    return response;
  }
}

/** Checks that `url` is one the policy lets plugins reach, without opening it (plans, verify). */
export async function checkUrl(url: string, access: AccessPolicy): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}" is not a URL (http://, https:// or file://)`);
  }
  if (parsed.protocol === 'file:') {
    await access.file(fileURLToPath(parsed));
  } else if (parsed.protocol === 'http:' || parsed.protocol === 'https:') {
    await access.host(parsed.hostname, Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80)));
  } else {
    throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}": only http://, https:// and file:// URLs are supported`);
  }
}

function get(target: URL, access: AccessPolicy, signal: AbortSignal, url: string): Promise<IncomingMessage> {
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const call = request(target, { method: 'GET', lookup: access.lookup, signal }, resolve);
    call.once('error', (error: Error) => {
      if (signal.aborted) return reject(signal.reason);
      if (error instanceof PluginError) return reject(error);
      reject(new PluginError('ERROR_UNAVAILABLE', `${url}: ${error.message}`, true));
    });
    call.end();
  });
}

function openFile(path: string, url: string): Promise<Readable> {
  const stream = createReadStream(path);
  return new Promise((resolve, reject) => {
    stream.once('open', () => resolve(stream));
    stream.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PluginError('ERROR_UNKNOWN', `${url}: ${error.code === 'ENOENT' ? 'File not found' : error.message}`)),
    );
  });
}
