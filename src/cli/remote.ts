import { loadConfig } from '../config/config.js';
import { ROLE } from '../domain/status.js';
import { issueToken } from '../auth/tokens.js';
import { readOrCreateKey } from '../secrets/key-file.js';

/**
 * The CLI talks to a running costsync over its REST API: `--url` (or COSTSYNC_URL, default
 * http://127.0.0.1:<COSTSYNC_HTTP_PORT>) and `--token` (or COSTSYNC_TOKEN). Without a token,
 * it signs a short-lived DOMAIN_ADMIN token for `--domain` with the local data directory's key,
 * which a server started from the same directory accepts.
 */
export interface RemoteOptions {
  url?: string;
  token?: string;
  domain?: string;
}

export interface Remote {
  readonly url: string;
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
  const url = (options.url ?? process.env.COSTSYNC_URL ?? `http://${config.http.host}:${config.http.port}`).replace(/\/$/, '');
  const token = options.token ?? process.env.COSTSYNC_TOKEN ?? (await localToken(options.domain ?? 'domain-demo'));
  return {
    url,
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
  const key = config.tokenSecret ? new TextEncoder().encode(config.tokenSecret) : readOrCreateKey(config.dataDir, 'token.key');
  return issueToken(key, { domainId, role: ROLE.DOMAIN_ADMIN, ttlSeconds: 600 });
}
