import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { dashboardSession } from './dashboard-session.js';

/**
 * The cost explorer in real Chromium against a running costsync with the demo data source
 * (synthetic rows, April to 18 June 2025 on the test clock): the totals it shows for each
 * granularity, and per group, equal the sums the test computes from the published rows with
 * its own SQL; the change against the period before, the CSV download and the 390 px layout.
 */
describe('the cost explorer', () => {
  const session = dashboardSession();
  const open = async (hash: string, viewport?: { width: number; height: number }): Promise<Page> => {
    const page = await session.signedIn(hash, viewport);
    await page.getByTestId('cost-total').waitFor();
    return page;
  };
  const shown = async (page: Page) => Number(await page.getByTestId('cost-total').getAttribute('data-value'));
  const sumOf = async (where: string, params: unknown[] = []) => {
    const [{ total }] = await session.server.ctx.db.query<{ total: number }>(
      `SELECT coalesce(sum(cost), 0)::float8 AS total FROM published_cost WHERE data_source_id = $1 AND ${where}`,
      [session.server.demoJob.data_source_id, ...params],
    );
    return total;
  };
  const close = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);

  it('shows the period total for each granularity, equal to the published rows’ sum', async () => {
    const ds = session.server.demoJob.data_source_id;
    const monthly = await open(`#/costs?ds=${ds}&g=MONTHLY&start=2025-04&end=2025-06`);
    close(await shown(monthly), await sumOf(`billed_month BETWEEN '2025-04' AND '2025-06'`), 'monthly');
    await monthly.getByText('USD, 2025-04 – 2025-06').waitFor();
    const daily = await open(`#/costs?ds=${ds}&g=DAILY&start=2025-05-10&end=2025-05-20`);
    close(await shown(daily), await sumOf(`billed_date BETWEEN '2025-05-10' AND '2025-05-20'`), 'daily');
    const before = Number(await daily.getByTestId('cost-change').getAttribute('data-value'));
    close(before, await sumOf(`billed_date BETWEEN '2025-04-29' AND '2025-05-09'`), 'the 11 days before');
    const yearly = await open(`#/costs?ds=${ds}&g=YEARLY&start=2025&end=2025`);
    close(await shown(yearly), await sumOf(`billed_year = '2025'`), 'yearly');
  });

  it('groups by a field: each group’s total in the table is its rows’ sum, and the CSV holds the same numbers', async () => {
    const page = await open(`#/costs?ds=${session.server.demoJob.data_source_id}&g=MONTHLY&start=2025-04&end=2025-06&by=product`);
    const products = await session.server.ctx.db.query<{ product: string; total: number }>(
      `SELECT product, sum(cost)::float8 AS total FROM published_cost WHERE data_source_id = $1 GROUP BY product`,
      [session.server.demoJob.data_source_id],
    );
    assert.ok(products.length > 1);
    for (const { product, total } of products) {
      const cell = page.locator(`tr[data-group="${product}"] td[data-value]`);
      close(Number(await cell.getAttribute('data-value')), total, product);
    }
    await page.getByRole('img', { name: /^Cost by periods 2025-04 to 2025-06: 2025-04 \$/ }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = await (await download.createReadStream()).toArray();
    const lines = Buffer.concat(csv).toString('utf8').trim().split('\n');
    assert.equal(lines[0], 'group,2025-04,2025-05,2025-06,total (USD)');
    assert.equal(lines.length, products.length + 1);
    for (const { product, total } of products) {
      const line = lines.find((l) => l.startsWith(`${product},`))!;
      close(Number(line.split(',').pop()), total, `CSV ${product}`);
    }
    // A filter narrows the view to one product; the form's choices go to the address.
    await page.getByLabel('Filter on').selectOption('product');
    await page.getByLabel('equal to').fill(products[0].product);
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/fk=product/);
    await page.waitForFunction((expected) => {
      type Doc = { querySelector(selector: string): { getAttribute(name: string): string | null } | null };
      const value = Number(
        (globalThis as unknown as { document: Doc }).document.querySelector('[data-testid="cost-total"]')?.getAttribute('data-value'),
      );
      return Math.abs(value - expected) < 1e-6;
    }, products[0].total);
  });

  it('is readable at 390 px wide without scrolling sideways', async () => {
    const page = await open(`#/costs?ds=${session.server.demoJob.data_source_id}&by=provider`, { width: 390, height: 844 });
    const [scroll, client] = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
        .documentElement;
      return [root.scrollWidth, root.clientWidth];
    });
    assert.ok(scroll <= client, `page ${scroll}px wide in a ${client}px window`);
  });
});
