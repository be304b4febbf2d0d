import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openPage } from './browser.js';
import { startTestServer, type TestServer } from './server.js';

/**
 * A running costsync and a Chromium for one `describe`: started before its tests, closed after
 * them, and every page opened through it checked at the end for requests leaving costsync and
 * for script errors. `signedIn(hash)` opens a page signed in as DOMAIN_ADMIN (through the
 * sign-in link), then at `hash`.
 */
export interface DashboardSession {
  readonly server: TestServer;
  /** A page, not signed in, that is checked at the end. */
  page(viewport?: { width: number; height: number }): Promise<Page>;
  /** A page signed in with `token` (default: a DOMAIN_ADMIN's), at `hash`. */
  signedIn(hash?: string, viewport?: { width: number; height: number }, token?: string): Promise<Page>;
}

export function dashboardSession(): DashboardSession {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  let admin = '';
  const opened: { foreign: string[]; errors: string[] }[] = [];
  before(async () => {
    server = await startTestServer();
    browser = await launchBrowser();
    admin = await server.token();
  });
  after(async () => {
    for (const { foreign, errors } of opened) {
      assert.deepEqual(foreign, [], 'no request outside costsync');
      assert.deepEqual(errors, [], 'no script errors');
    }
    await browser?.close();
    await server?.close();
  });
  const session: DashboardSession = {
    get server() {
      if (!server) throw new Error('the test server is not started yet (use the session inside a test)');
      return server;
    },
    async page(viewport = { width: 1366, height: 800 }) {
      const { page, foreign, errors } = await openPage(browser!, session.server.url);
      opened.push({ foreign, errors });
      await page.setViewportSize(viewport);
      page.setDefaultTimeout(20_000);
      return page;
    },
    async signedIn(hash = '', viewport, token = admin) {
      const page = await session.page(viewport);
      await page.goto(`${session.server.url}/#token=${token}`);
      await page.getByRole('heading', { name: 'Jobs' }).waitFor();
      if (hash) await page.goto(`${session.server.url}/${hash}`);
      return page;
    },
  };
  return session;
}
