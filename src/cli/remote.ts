import { loadConfig } from '../config/config.js';
import { ROLE } from '../domain/status.js';
import { issueToken } from '../auth/tokens.js';
import { readKey } from '../secrets/key-file.js';

/**
 * The CLI talks to a running costsync over its REST API: `--url` (or COSTSYNC_URL, default
 * http://127.0.0.1:<COSTSYNC_HTTP_PORT>) and `--token` (or COSTSYNC_TOKEN). Without a token,
 * it signs a short-lived DOMAIN_ADMIN token for `--domain` with the local data directory's key,
 * which a server started from the same directory accepts; it never creates one (a new key
 * would sign tokens no server accepts, and a read command must not leave files behind).
 */
export interface RemoteOptions {
  url?: string;
  token?: string;
  domain?: string;
}

export interface Remote {
  readonly url: string;
  /** `costsync <args>` as the user would type it to reach the same server (with `--url` when it is not the default). */
  hint(args: string): string;
  call<T = Record<string, unknown>>(path: string, body?: Record<string, unknown>): Promise<T>;
}

export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function connect(options: RemoteOptions): Promise<Remote> {
  const config = loadConfig();
  const fallback = `http://${config.http.host}:${config.http.port}`;
  const url = (options.url || process.env.COSTSYNC_URL || fallback).replace(/\/$/, '');
  const token = options.token || process.env.COSTSYNC_TOKEN || (await localToken(options.domain ?? 'domain-demo'));
  return {
    url,
    hint: (args) => `costsync ${args}${url === fallback ? '' : ` --url ${url}`}`,
    async call<T>(path: string, body: Record<string, unknown> = {}) {
      let response: Response;
      try {
        response = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      } catch (error) {
        throw new RemoteError(
          0,
          'ERROR_UNAVAILABLE',
          `cannot reach costsync at ${url} (${(error as Error).message}); start it with \`costsync serve\` or pass --url`,
        );
      }
      const payload = (await response.json().catch(() => ({}))) as { detail?: { code?: string; message?: string } };
      if (!response.ok) {
        const detail = payload.detail ?? {};
        throw new RemoteError(response.status, detail.code ?? `HTTP_${response.status}`, detail.message ?? response.statusText);
      }
      return payload as T;
    },
  };
}

async function localToken(domainId: string): Promise<string> {
  const config = loadConfig();
  const key = config.tokenSecret ? new TextEncoder().encode(config.tokenSecret) : readKey(config.dataDir, 'token.key');
  if (!key) {
    throw new RemoteError(
      0,
      'ERROR_AUTHENTICATE_FAILURE',
      `no token: pass --token or set COSTSYNC_TOKEN (\`costsync token --domain ${domainId} --role DOMAIN_ADMIN\` in the server's data directory prints one), or run where the server keeps its data (${config.dataDir} has no token.key; COSTSYNC_DATA_DIR)`,
    );
  }
  return issueToken(key, { domainId, role: ROLE.DOMAIN_ADMIN, ttlSeconds: 600 });
}
