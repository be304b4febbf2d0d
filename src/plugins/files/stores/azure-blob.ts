import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { AnonymousCredential, ContainerClient, newPipeline, RestError, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { AccessPolicy } from '../../access/policy.js';
import type { Struct } from '../../plugin.js';
import { PluginError } from '../../plugin.js';
import { type FileStore, type StoreContext, type StoreKind, secretString, untilAborted } from '../store.js';
import { BLOB_HOST, isAzureBlobUrl } from './azure-blob-url.js';

/**
 * Azure Blob Storage locations: `azblob://<container>/<prefix>` (the account comes from
 * `secret_data`) and `https://<account>.blob.core.windows.net/<container>/<path>` (a public
 * container needs no secret; a SAS in the URL's query string is used for that one file).
 * Credentials come only from `secret_data`: `connection_string`, or `account_name` +
 * `account_key`, or `sas_token`; `account_url` names another endpoint (Azurite, a sovereign
 * cloud). Every request the SDK sends — retries and redirects included — goes only to the
 * account's endpoint, whose host the access policy checks first, and connects through the
 * policy's lookup (an operator's HTTPS_PROXY is not used: it would hide the real target from
 * the policy). Messages name the container and blob, never a key, a SAS or the SDK's message.
 */
export const azureBlobFiles: StoreKind = {
  schemes: ['azblob:'],
  claims: isAzureBlobUrl,
  make: ({ access, secret }: StoreContext): FileStore => {
    const auth = azureAuth(secret);
    const containers = new Map<string, ContainerClient>();
    const container = (where: Location) => {
      const key = `${where.endpoint.href} ${where.container} ${where.sas}`;
      let client = containers.get(key);
      if (!client) {
        client = makeContainer(where, auth?.credential ?? new AnonymousCredential(), access);
        containers.set(key, client);
      }
      return client;
    };
    const call = async <T>(url: string, signal: AbortSignal, run: (where: Location) => Promise<T>): Promise<T> => {
      const where = locate(url, auth);
      try {
        return await run(where);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw blobError(error, where, auth !== undefined);
      }
    };
    return {
      async check(url) {
        const { endpoint } = locate(url, auth);
        await access.host(endpoint.hostname, portOf(endpoint));
      },
      async *list(prefix, signal) {
        const where = locate(prefix, auth);
        const blobs = container(where).listBlobsFlat({ prefix: where.path, includeMetadata: true, abortSignal: signal });
        const pages = blobs.byPage({ maxPageSize: 1000 })[Symbol.asyncIterator]();
        for (;;) {
          const page = await call(prefix, signal, () => pages.next());
          if (page.done) return;
          for (const blob of page.value.segment.blobItems) {
            // Folders of a hierarchical-namespace account (ADLS Gen2) are listed as empty blobs.
            if (blob.name.endsWith('/') || blob.metadata?.hdi_isfolder === 'true') continue;
            yield { url: `${where.base}${blob.name}`, size: blob.properties.contentLength };
          }
        }
      },
      open: (url, signal) =>
        call(url, signal, async (where) => {
          const blob = container(where).getBlobClient(where.path);
          const response = await blob.download(0, undefined, { abortSignal: signal, maxRetryRequests: 2 });
          const body = response.readableStreamBody;
          return body instanceof Readable ? untilAborted(body, signal) : Readable.from([]);
        }),
      size: (url, signal) =>
        call(
          url,
          signal,
          async (where) => (await container(where).getBlobClient(where.path).getProperties({ abortSignal: signal })).contentLength ?? 0,
        ),
      range: (url, start, end, signal) =>
        end <= start
          ? Promise.resolve(new Uint8Array(0))
          : call(url, signal, async (where) => {
              const response = await container(where)
                .getBlobClient(where.path)
                .download(start, end - start, { abortSignal: signal });
              const chunks: Buffer[] = [];
              for await (const chunk of response.readableStreamBody ?? []) chunks.push(chunk as Buffer);
              return Buffer.concat(chunks);
            }),
    };
  },
};

interface AzureAuth {
  /** The account endpoint `azblob://` locations are read from (`https://<account>.blob.core.windows.net`). */
  readonly endpoint?: URL;
  readonly credential: StorageSharedKeyCredential | AnonymousCredential;
  /** A SAS token (without `?`), or empty. */
  readonly sas: string;
}

/** Where one location is: the account endpoint, the container, the blob path, and how to name what is under it. */
interface Location {
  readonly endpoint: URL;
  readonly container: string;
  readonly path: string;
  readonly sas: string;
  /** The URL of the container's root as locations name it, to which blob names are appended. */
  readonly base: string;
  /** The location as messages show it (never the query string, which may hold a SAS). */
  readonly shown: string;
}

function locate(url: string, auth: AzureAuth | undefined): Location {
  const parsed = new URL(url);
  const shown = `${parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin}${parsed.pathname}`;
  if (parsed.protocol === 'azblob:') {
    if (!auth) {
      throw new PluginError(
        'ERROR_REQUIRED_PARAMETER',
        'Required parameter. (key = secret_data.connection_string, or secret_data.account_name and secret_data.account_key, or secret_data.sas_token)',
      );
    }
    if (!auth.endpoint) {
      throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = secret_data.account_name or secret_data.account_url)');
    }
    if (!parsed.hostname) throw new PluginError('ERROR_INVALID_PARAMETER', `"${shown}" names no container (azblob://container/prefix)`);
    const path = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return { endpoint: auth.endpoint, container: parsed.hostname, path, sas: auth.sas, base: `azblob://${parsed.hostname}/`, shown };
  }
  const [container = '', ...rest] = parsed.pathname.replace(/^\//, '').split('/');
  if (!container)
    throw new PluginError('ERROR_INVALID_PARAMETER', `"${shown}" names no container (https://<account>${BLOB_HOST}/<container>/…)`);
  return {
    endpoint: new URL(parsed.origin),
    container: decodeURIComponent(container),
    path: decodeURIComponent(rest.join('/')),
    sas: parsed.search.replace(/^\?/, '') || (auth?.sas ?? ''),
    base: `${parsed.origin}/${container}/`,
    shown,
  };
}

/** The credentials of secret_data; undefined when it has none (an https:// location then reads a public container). */
function azureAuth(secret: Struct): AzureAuth | undefined {
  const connection = secretString(secret, 'connection_string');
  if (connection) return connectionAuth(connection);
  const name = secretString(secret, 'account_name');
  const key = secretString(secret, 'account_key');
  const sas = secretString(secret, 'sas_token').replace(/^\?/, '');
  const url = secretString(secret, 'account_url');
  const endpoint = url ? endpointUrl(url, 'secret_data.account_url') : name ? new URL(`https://${name}${BLOB_HOST}`) : undefined;
  if (key) {
    if (!name) throw new PluginError('ERROR_REQUIRED_PARAMETER', 'Required parameter. (key = secret_data.account_name)');
    return { ...(endpoint ? { endpoint } : {}), credential: new StorageSharedKeyCredential(name, key), sas: '' };
  }
  if (sas) return { ...(endpoint ? { endpoint } : {}), credential: new AnonymousCredential(), sas };
  return undefined;
}

/** A storage connection string (`AccountName=…;AccountKey=…;BlobEndpoint=…`); messages never repeat a part of it. */
function connectionAuth(text: string): AzureAuth {
  const parts = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const name = parts.get('accountname');
  const blobEndpoint = parts.get('blobendpoint');
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  if (!blobEndpoint && !name) {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.connection_string has neither BlobEndpoint nor AccountName');
  }
  const endpoint = blobEndpoint
    ? endpointUrl(blobEndpoint, 'the BlobEndpoint of secret_data.connection_string')
    : endpointUrl(`${protocol}://${name}.blob.${parts.get('endpointsuffix') ?? 'core.windows.net'}`, 'secret_data.connection_string');
  const key = parts.get('accountkey');
  if (key && name) return { endpoint, credential: new StorageSharedKeyCredential(name, key), sas: '' };
  const sas = parts.get('sharedaccesssignature')?.replace(/^\?/, '');
  if (sas) return { endpoint, credential: new AnonymousCredential(), sas };
  throw new PluginError(
    'ERROR_INVALID_PARAMETER',
    'secret_data.connection_string has no AccountName and AccountKey, nor SharedAccessSignature',
  );
}

function endpointUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new PluginError('ERROR_INVALID_PARAMETER', `${what} must be a URL such as https://<account>${BLOB_HOST}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new PluginError('ERROR_INVALID_PARAMETER', `${what} must be an http:// or https:// URL`);
  url.search = '';
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'http:' ? 80 : 443));

/** The part of the SDK's core pipeline the store adds its policy to (not in the storage package's types). */
interface CoreRequest {
  url: string;
  agent?: HttpAgent;
}
interface CorePipeline {
  addPolicy(
    policy: { name: string; sendRequest(request: CoreRequest, next: (request: CoreRequest) => Promise<unknown>): Promise<unknown> },
    options: { afterPhase?: 'Sign'; afterPolicies?: string[] },
  ): void;
}

function makeContainer(
  where: Location,
  credential: StorageSharedKeyCredential | AnonymousCredential,
  access: AccessPolicy,
): ContainerClient {
  // The engine retries a transient task failure with its own backoff; the SDK only smooths a blip.
  const pipeline = newPipeline(credential, { retryOptions: { maxTries: 2, retryDelayInMs: 500 } });
  const url = new URL(encodeURIComponent(where.container), where.endpoint);
  url.search = where.sas;
  const client = new ContainerClient(url.href, pipeline);
  const agents = {
    http: new HttpAgent({ keepAlive: true, lookup: access.lookup }),
    https: new HttpsAgent({ keepAlive: true, lookup: access.lookup }),
  };
  // The SDK makes one core pipeline per `newPipeline` and shares it with every client made from
  // it (the blob clients of this container): this policy runs once per request sent, after the
  // retry, signing and redirect policies — so also for each retry and each redirect.
  const core = (client as unknown as { storageClientContext: { pipeline: CorePipeline } }).storageClientContext.pipeline;
  core.addPolicy(
    {
      name: 'costsyncAccessPolicy',
      async sendRequest(request, next) {
        const target = new URL(request.url);
        // The SDK follows a redirect to the same origin only; this holds whatever its version does.
        if (target.host !== where.endpoint.host || target.protocol !== where.endpoint.protocol) throw redirected(where);
        await access.host(target.hostname, portOf(target));
        // Set here, after the proxy policy, so no agent but the policy's carries the request.
        request.agent = target.protocol === 'https:' ? agents.https : agents.http;
        return next(request);
      },
    },
    { afterPhase: 'Sign', afterPolicies: ['redirectPolicy'] },
  );
  return client;
}

const redirected = (where: Location, status?: number) =>
  new PluginError(
    'ERROR_UNKNOWN',
    `${where.shown}: the endpoint redirected${status ? ` (HTTP ${status})` : ''} elsewhere, which is not followed`,
  );

const REFUSED = new Set([
  'AuthenticationFailed',
  'AuthorizationFailure',
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InvalidAuthenticationInfo',
  'InsufficientAccountPermissions',
  'NoAuthenticationInformation',
  'PublicAccessNotPermitted',
  'AccountIsDisabled',
]);

/** The SDK's failure as a PluginError built from its error code and status only (its messages can echo request details). */
function blobError(error: unknown, where: Location, hasCredentials: boolean): unknown {
  if (error instanceof PluginError) return error;
  if ((error as Error)?.name === 'AbortError') return error;
  const rest = error instanceof RestError ? error : undefined;
  const code = String(rest?.code ?? (error as { code?: unknown })?.code ?? '');
  const status = rest?.statusCode;
  // A refusal by the access policy at connect time, passed through the SDK's request error.
  if (code === 'ERROR_PERMISSION_DENIED') return new PluginError('ERROR_PERMISSION_DENIED', (error as Error).message);
  if (code === 'ContainerNotFound')
    return new PluginError('ERROR_UNKNOWN', `${where.shown}: container "${where.container}" does not exist`);
  if (code === 'BlobNotFound' || code === 'ResourceNotFound' || status === 404)
    return new PluginError('ERROR_UNKNOWN', `${where.shown}: not found`);
  if (REFUSED.has(code) || status === 401 || status === 403 || (status === 409 && code === 'PublicAccessNotPermitted')) {
    const why =
      hasCredentials || where.sas
        ? 'the credentials in secret_data were refused'
        : 'the container is not public; give credentials in secret_data';
    return new PluginError('ERROR_PERMISSION_DENIED', `${where.shown}: ${why} (${code || `HTTP ${status}`})`);
  }
  if (status !== undefined && status >= 300 && status < 400) return redirected(where, status);
  if (status !== undefined && status < 500 && status !== 429) {
    return new PluginError('ERROR_UNKNOWN', `${where.shown}: ${code || 'refused'} (HTTP ${status})`);
  }
  // A 5xx, throttling or a network failure: the error code (ServerBusy, ECONNREFUSED…) says which, and holds nothing secret.
  const why = /^[A-Za-z_]+$/.test(code) ? code : status !== undefined ? `HTTP ${status}` : 'no answer';
  return new PluginError('ERROR_UNAVAILABLE', `${where.shown}: the store did not answer (${why})`, true);
}
