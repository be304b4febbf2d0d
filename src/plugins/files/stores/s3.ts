import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import type { Struct } from '../../plugin.js';
import { PluginError } from '../../plugin.js';
import { type FileStore, type StoreContext, type StoreKind, secretString } from '../store.js';

/**
 * `s3://bucket/prefix` locations: AWS S3, or any S3-compatible store (`secret_data.endpoint`).
 * Credentials come only from `secret_data` (`aws_access_key_id`, `aws_secret_access_key`,
 * optional `aws_session_token`): a data source never borrows the server's own AWS identity.
 * The endpoint's host passes the access policy before every call, and every connection is
 * made through it (DNS rebinding included). Messages name the bucket and key, never a secret.
 */
export const s3Files: StoreKind = {
  schemes: ['s3:'],
  make: ({ access, secret }: StoreContext): FileStore => {
    const settings = s3Settings(secret);
    let client: S3Client | undefined;
    const s3 = () => {
      client ??= new S3Client({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint.href } : {}),
        forcePathStyle: settings.forcePathStyle,
        credentials: settings.credentials,
        maxAttempts: 2,
        requestHandler: {
          httpAgent: new HttpAgent({ keepAlive: true, lookup: access.lookup }),
          httpsAgent: new HttpsAgent({ keepAlive: true, lookup: access.lookup }),
        },
      });
      return client;
    };
    const checkHost = (bucket: string) => {
      const endpoint = settings.endpoint ?? new URL(`https://${bucket}.s3.${settings.region}.amazonaws.com`);
      return access.host(endpoint.hostname, Number(endpoint.port || (endpoint.protocol === 'http:' ? 80 : 443)));
    };
    const call = async <T>(url: string, run: (bucket: string, key: string) => Promise<T>): Promise<T> => {
      const { bucket, key } = parse(url);
      await checkHost(bucket);
      try {
        return await run(bucket, key);
      } catch (error) {
        throw s3Error(error, url);
      }
    };
    return {
      async check(url) {
        await checkHost(parse(url).bucket);
      },
      async *list(prefix, signal) {
        const { bucket, key } = parse(prefix);
        let token: string | undefined;
        do {
          const page = await call(prefix, () =>
            s3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, ContinuationToken: token }), { abortSignal: signal }),
          );
          for (const object of page.Contents ?? []) {
            if (object.Key && !object.Key.endsWith('/')) yield { url: `s3://${bucket}/${object.Key}`, size: object.Size };
          }
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
      },
      open: (url, signal) =>
        call(url, async (bucket, key) => {
          const object = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return object.Body instanceof Readable ? object.Body : Readable.from([]);
        }),
      size: (url, signal) =>
        call(url, async (bucket, key) => {
          const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
          return head.ContentLength ?? 0;
        }),
      range: (url, start, end, signal) =>
        end <= start
          ? Promise.resolve(new Uint8Array(0))
          : call(url, async (bucket, key) => {
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
  if (pathStyle !== undefined && typeof pathStyle !== 'boolean') {
    throw new PluginError('ERROR_INVALID_PARAMETER', 'secret_data.force_path_style must be true or false');
  }
  return {
    region: secretString(secret, 'region') || 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: pathStyle ?? endpoint !== undefined,
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
  };
}

function parse(url: string): { bucket: string; key: string } {
  const parsed = new URL(url);
  if (!parsed.hostname) throw new PluginError('ERROR_INVALID_PARAMETER', `"${url}" names no bucket (s3://bucket/prefix)`);
  return { bucket: parsed.hostname, key: decodeURIComponent(parsed.pathname.replace(/^\//, '')) };
}

/** The SDK's failure as a PluginError built from its name and status only (its messages can echo request details). */
function s3Error(error: unknown, url: string): unknown {
  if (error instanceof PluginError) return error;
  if ((error as Error)?.name === 'AbortError') return error;
  const name = (error as { name?: string })?.name ?? 'Error';
  const status = error instanceof S3ServiceException ? error.$metadata.httpStatusCode : undefined;
  if (name === 'NoSuchKey' || name === 'NoSuchBucket' || name === 'NotFound' || status === 404) {
    return new PluginError('ERROR_UNKNOWN', `${url}: ${name === 'NoSuchBucket' ? 'no such bucket' : 'not found'}`);
  }
  if (['AccessDenied', 'InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken'].includes(name) || status === 403) {
    return new PluginError('ERROR_PERMISSION_DENIED', `${url}: the credentials in secret_data were refused (${name})`);
  }
  if (status !== undefined && status < 500 && status !== 429) return new PluginError('ERROR_UNKNOWN', `${url}: ${name} (HTTP ${status})`);
  return new PluginError('ERROR_UNAVAILABLE', `${url}: the store did not answer (${name})`, true);
}
