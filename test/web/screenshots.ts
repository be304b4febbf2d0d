/**
 * Makes the screenshots in docs/ (`npm run screenshots`): the dashboard on a costsync with the
 * demo data source and a few more, one sync running, one failed, one cancelled; the cost
 * explorer and the API reference.
 */
import { join } from 'node:path';
import { launchBrowser, openPage } from './browser.js';
import { startTestServer } from './server.js';

const DOCS = join(import.meta.dirname, '../../docs');

const server = await startTestServer();
const browser = await launchBrowser();
try {
  const sync = async (name: string, options: Record<string, unknown>, wait = true) => {
    const id = await server.addDataSource(name, options);
    const [source] = await server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    const job = await server.ctx.engine.sync(source, { syncMode: 'MANUAL' });
    return wait ? server.ctx.engine.waitForJob(job.job_id) : job;
  };
  const aws = await sync('aws-billing', { accounts: 3, months: 6, rows_per_day: 8, seed: 31 });
  const failed = await sync('gcp-export', { accounts: 2, months: 2, fail_task: 2, seed: 32 });
  const canceled = await sync('azure-ea', { accounts: 1, months: 2, page_size: 5, page_delay_ms: 400, seed: 33 }, false);
  await new Promise((resolve) => setTimeout(resolve, 1200));
  await server.ctx.engine.cancel(canceled.job_id);
  const running = await sync(
    'nightly-finance',
    { accounts: 2, months: 3, rows_per_day: 40, page_size: 40, page_delay_ms: 250, seed: 34 },
    false,
  );

  const { page } = await openPage(browser, server.url);
  await page.goto(`${server.url}/#token=${await server.token()}`);
  await page
    .getByRole('row', { name: new RegExp(running.job_id) })
    .getByText('IN_PROGRESS')
    .waitFor();
  await new Promise((resolve) => setTimeout(resolve, 2500));
  await page.screenshot({ path: join(DOCS, 'dashboard-jobs.png') });

  await page.goto(`${server.url}/#/jobs/${running.job_id}`);
  await page
    .getByRole('row', { name: /job-task-/ })
    .filter({ hasText: 'SUCCESS' })
    .first()
    .waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(DOCS, 'dashboard-job-running.png') });

  await page.goto(`${server.url}/#/jobs/${failed.job_id}`);
  await page.getByRole('note', { name: 'Job error' }).waitFor();
  await page.screenshot({ path: join(DOCS, 'dashboard-job-failed.png') });

  await server.ctx.engine.waitForJob(running.job_id, { timeoutMs: 120_000 });
  await page.goto(`${server.url}/#/data-sources`);
  await page
    .getByRole('row', { name: /nightly-finance/ })
    .getByText('SUCCESS')
    .waitFor();
  await page.screenshot({ path: join(DOCS, 'dashboard-data-sources.png') });

  await page.goto(`${server.url}/#/costs?ds=${aws.data_source_id}&g=MONTHLY&by=product`);
  await page.getByTestId('cost-total').waitFor();
  await page.screenshot({ path: join(DOCS, 'dashboard-costs.png'), fullPage: true });

  await page.goto(`${server.url}/#/data-sources/${aws.data_source_id}`);
  await page.getByRole('table', { name: 'Job history' }).waitFor();
  await page.screenshot({ path: join(DOCS, 'dashboard-data-source.png'), fullPage: true });

  await page.goto(`${server.url}/docs`);
  await page.getByRole('heading', { name: /^costsync API/ }).waitFor();
  await page.screenshot({ path: join(DOCS, 'api-reference.png') });
  console.log(`screenshots written to ${DOCS}`);
} finally {
  await browser.close();
  await server.close();
}
