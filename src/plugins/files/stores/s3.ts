import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { AccessPolicy } from '../../access/policy.js';
import type { Struct } from '../../plugin.js';
import { PluginError } from '../../plugin.js';
import { type FileStore, type StoreContext, type StoreKind, secretString, untilAborted } from '../store.js';

/**
 * `s3://bucket/prefix` locations: AWS S3, or any S3-compatible store (`secret_data.endpoint`).
 * Credentials come only from `secret_data` (`aws_access_key_id`, `aws_secret_access_key`,
 * optional `aws_session_token`): a data source never borrows the server's own AWS identity,
 * nor its configured endpoints (AWS_ENDPOINT_URL…), which would send the data source's keys
 * to a place its owner did not name. Every request the SDK sends — retries included — first
 * has its host checked by the access policy (an IP endpoint is never resolved, so the
 * connect-time lookup alone would not see it), and every connection is made through the
 * policy's lookup (DNS rebinding). Messages name the bucket and key, never a secret: the
 * SDK's own messages can echo request details, so they are never passed on.
 */
export const s3Files: StoreKind = {
  schemes: ['s3:'],
  make: ({ access, secret }: StoreContext): FileStore => {
    const settings = s3Settings(secret);
    let client: S3Client | undefined;
    const s3 = () => {
      client ??= makeClient(settings, access);
      return client;
    };
    const call = async <T>(url: string, signal: AbortSignal, run: (bucket: string, key: string) => Promise<T>): Promise<T> => {
      const { bucket, key } = parse(url);
      try {
        return await run(bucket, key);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw s3Error(error, url, bucket);
      }
    };
    return {
      async check(url) {
        const { bucket } = parse(url);
        const endpoint = settings.endpoint ?? awsEndpoint(bucket, settings);
        await access.host(endpoint.hostname, portOf(endpoint));
      },
      async *list(prefix, signal) {
        const { bucket, key } = parse(prefix);
        let token: string | undefined;
        do {
          const page = await call(prefix, signal, () =>
            s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), { abortSignal: signal }),
          );
          for (const object of page.Contents ?? []) {
            // Keys ending in `/` are the empty "folder" objects consoles create, not files.
            if (object.Key && !object.Key.endsWith('/')) yield { url: `s3://${bucket}/${object.Key}`, size: object.Size };
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      },
      open: (url, signal) =>
        call(url, signal, async (bucket, key) => {
          const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return object.Body instanceof Readable ? untilAborted(object.Body, signal) : Readable.from([]);
        }),
      size: (url, signal) =>
        call(url, signal, async (bucket, key) => {
          const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return head.ContentLength ?? 0;
        }),
      range: (url, start, end, signal) =>
        end <= start
          ? Promise.resolve(new Uint8Array(0))
          : call(url, signal, async (bucket, key) => {
              const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }), {
                abortSignal: signal,
              });
              return object.Body ? await object.Body.transformToByteArray() : new Uint8Array(0);
            }),
    };
  },
};

interface S3Settings {
  region: string;
  endpoint?: URL;
  forcePathStyle: boolean;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

function makeClient(settings: S3Settings, access: AccessPolicy): S3Client {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint.href } : {}),
    forcePathStyle: settings.forcePathStyle,
    credentials: settings.credentials,
    // What the server's environment or ~/.aws/config could otherwise change for every data source.
    ignoreConfiguredEndpointUrls: true,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    useArnRegion: false,
    retryMode: 'standard',
    // The engine retries a transient task failure with its own backoff; the SDK only smooths a blip.
    maxAttempts: 2,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, lookup: access.lookup }),
      httpsAgent: new HttpsAgent({ keepAlive: true, lookup: access.lookup }),
      connectionTimeout: 30_000,
    },
  });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { hostname?: string; port?: number; protocol?: string };
      if (request.hostname) {
        await access.host(request.hostname, request.port ?? (request.protocol === 'http:' ? 80 : 443));
      }
      return next(args);
    },
    // Low priority in this step runs inside the retry middleware: once per attempt.
    { step: 'finalizeRequest', priority: 'low', name: 'costsyncAccessPolicy' },
  );
  return client;
}

function s3Settings(secret: Struct): S3Settings {
  const accessKeyId = secretString(secret, 'aws_access_key_id');
  const secretAccessKey = secretString(secret, 'aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) {
    throw new PluginError(
      'ERROR_REQUIRED_PARAMETER',
      'Required parameter. (key = secret_data.aws_access_key_id, secret_data.aws_secret_access_key)',
    );
  }
  const sessionToken = secretString(secret, 'aws_session_token');
  const endpointText = secretString(secret, 'endpoint');
  let endpoint: URL | undefined;
  if (endpointText) {
    try {
      endpoint = new URL(endpointText);
    } catch {
      throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.endpoint must be a URL such as https://s3.example.com');
    }
    if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
      throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.endpoint must be an http:// or https:// URL');
    }
  }
  const pathStyle = Object.hasOwn(secret, 'force_path_style') ? secret.force_path_style : undefined;
  if (pathStyle !== undefined && pathStyle !== null && typeof pathStyle !== 'boolean') {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.force_path_style must be true or false');
  }
  return {
    region: secretString(secret, 'region') || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: pathStyle ?? endpoint !== undefined,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  };
}

/** The AWS host a bucket is reached at (virtual-hosted, or path style when asked). */
function awsEndpoint(bucket: string, settings: S3Settings): URL {
  const regional = `s3.${settings.region}.amazonaws.com`;
  return new URL(`https://${settings.forcePathStyle || bucket.includes('.') ? regional : `${bucket}.${regional}`}`);
}

const portOf = (url: URL) => Number(url.port || (url.protocol === 'http:' ? 80 : 443));

function parse(url: string): { bucket: string; key: string } {
  const parsed = new URL(url);
  if (!parsed.hostname) throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}" names no bucket (s3://bucket/prefix)`);
  return { bucket: parsed.hostname, key: decodeURIComponent(parsed.pathname.replace(/^\//, '')) };
}

const REFUSED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'AllAccessDisabled',
]);

/** The SDK's failure as a PluginError built from its name and status only (its messages can echo request details). */
function s3Error(error: unknown, url: string, bucket: string): unknown {
  if (error instanceof PluginError) return error;
  const name = (error as { name?: string })?.name ?? 'Error';
  if (name === 'AbortError') return error;
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  if (name === 'NoSuchBucket') return new PluginError('ERROR_UNKNOWN', `${url}: bucket "${bucket}" does not exist`);
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return new PluginError('ERROR_UNKNOWN', `${url}: not found`);
  if (REFUSED.has(name) || status === 401 || status === 403) {
    return new PluginError('ERROR_PERMISSION_DENIED', `${url}: the credentials in secret_data were refused (${name})`);
  }
  if (name === 'PermanentRedirect' || status === 301) {
    return new PluginError('ERROR_INVALID_PARAMETER', `${url}: bucket "${bucket}" is in another region than secret_data.region`);
  }
  if (status !== undefined && status < 500 && status !== 429) return new PluginError('ERROR_UNKNOWN', `${url}: ${name} (HTTP ${status})`);
  // Throttling, a 5xx or a network failure: the errno code (ECONNREFUSED…) says which, and holds nothing secret.
  const code = (error as { code?: unknown })?.code;
  const why = status !== undefined ? `HTTP ${status}` : typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : name;
  return new PluginError('ERROR_UNAVAILABLE', `${url}: the store did not answer (${why})`, true);
}
