import type { FastifyInstance } from 'fastify';
import { buildRestApp } from '../../src/api/rest/app.js';
import type { AppContext } from '../../src/app/context.js';
import { silentLogger, type Logger } from '../../src/app/logger.js';
import { openApp } from '../../src/app/open-app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import type { Role } from '../../src/domain/status.js';
import type { PluginResolver } from '../../src/plugins/registry.js';
import type { Database } from '../../src/store/database.js';
import { openTestStore, type BackendName } from '../helpers/backends.js';
import { TEST_ACCESS_ENV, testClock } from '../helpers/engine-fixture.js';

/** A REST app on a fresh database of one backend, driven with `app.inject()`. */
export interface TestApp {
  readonly ctx: AppContext;
  readonly app: FastifyInstance;
  readonly db: Database;
  token(claims: { domainId: string; role: Role; workspaceId?: string; ttlSeconds?: number }): Promise<string>;
  call(method: 'GET' | 'POST', url: string, options?: { token?: string; body?: unknown }): Promise<Answer>;
  post(url: string, token: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export interface Answer {
  readonly status: number;
  readonly body: any;
  /** The raw response text, for "this value never appears" checks. */
  readonly text: string;
}

export interface TestAppOptions {
  readonly env?: Record<string, string>;
  readonly plugins?: PluginResolver;
  readonly log?: Logger;
}

export async function openTestApp(backend: BackendName, options: TestAppOptions = {}): Promise<TestApp> {
  const store = await openTestStore(backend);
  const config = loadConfig({ COSTSYNC_DATA_DIR: 'memory://', COSTSYNC_SCHEDULER: '0', ...TEST_ACCESS_ENV, ...options.env });
  const ctx = await openApp(config, { db: store.db, log: options.log ?? silentLogger, plugins: options.plugins, clock: testClock });
  const app = buildRestApp(ctx);
  await app.ready();
  const call: TestApp['call'] = async (method, url, options = {}) => {
    const response = await app.inject({
      method,
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    const text = response.body;
    return { status: response.statusCode, text, body: text ? JSON.parse(text) : undefined };
  };
  return {
    ctx,
    app,
    db: store.db,
    token: (claims) => issueToken(ctx.tokenKey, claims),
    call,
    post: (url, token, body = {}) => call('POST', url, { token, body }),
    async close() {
      await ctx.engine.stop();
      await app.close();
      await store.release();
    },
  };
}

/** Asserts an error answer: status and `detail.code`. */
export function errorOf(answer: Answer): { status: number; code: string; message: string } {
  return { status: answer.status, code: answer.body?.detail?.code, message: answer.body?.detail?.message };
}
