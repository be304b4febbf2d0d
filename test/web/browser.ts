import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, with everything that would reach the network switched off
 * (the tests run without one). Installed by `.ci/run`.
 */
export const CHROMIUM = process.env.COSTSYNC_CHROMIUM ?? '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A page at a laptop size that records every request leaving the costsync origin (there must
 * be none) and every script error.
 */
export async function openPage(browser: Browser, origin: string): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:')) foreign.push(url);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, foreign, errors };
}
