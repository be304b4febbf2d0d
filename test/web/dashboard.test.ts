import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { dashboardSession } from './dashboard-session.js';
import { DEMO_ROWS_TEXT } from './server.js';

/**
 * The dashboard in real headless Chromium against a running costsync (API, workers, the demo
 * data source synced once): what an operator sees and does.
 */

/** ≈ 2 tasks of 23 pages, 60 ms apart: long enough to be seen running. */
const PACED = { accounts: 2, months: 1, rows_per_day: 20, page_size: 20, page_delay_ms: 60, seed: 3 };
/** Minutes of work: still running when cancelled. */
const SLOW = { accounts: 1, months: 2, rows_per_day: 50, page_size: 5, page_delay_ms: 500, seed: 4 };
/** The second task fails. */
const BROKEN = { accounts: 1, months: 2, fail_task: 1, seed: 5 };

describe('the dashboard', () => {
  const session = dashboardSession();
  let admin: string;
  before(async () => {
    admin = await session.server.token();
  });

  /** `path` signed in with `token`, or not signed in without one. */
  const open = async (path: string, token?: string): Promise<Page> => {
    if (token) return session.signedIn(path === '/' ? '' : path.replace(/^\//, ''), undefined, token);
    const page = await session.page();
    await page.goto(`${session.server.url}${path}`);
    return page;
  };

  it('signs in from the link, takes the token out of the address bar, and lists the demo job', async () => {
    const page = await open('/', admin);
    assert.ok(!page.url().includes('token'), `address bar: ${page.url()}`);
    const row = page.getByRole('row', { name: new RegExp(session.server.demoJob.job_id) });
    await row.getByText('SUCCESS').waitFor();
    await row.getByText('6/6').waitFor();
    assert.match(await row.innerText(), /demo/);
    assert.ok((await row.innerText()).includes(DEMO_ROWS_TEXT), "the demo job's rows");
    await page.getByText('DOMAIN_ADMIN · domain-demo').waitFor();
  });

  it('signs in with the form and the keyboard, and says why a token is refused', async () => {
    const page = await open('/');
    const field = page.getByLabel('API token');
    await field.waitFor();
    await field.fill('not-a-token');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').getByText('not a valid costsync token').waitFor();
    await field.fill(admin);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByRole('row', { name: new RegExp(session.server.demoJob.job_id) }).waitFor();
  });

  it('Sync now starts a job whose page follows it, without reloading, to SUCCESS', async () => {
    const id = await session.server.addDataSource('paced', PACED);
    const page = await open('/#/data-sources', admin);
    await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
    await page.getByRole('button', { name: 'Sync paced now' }).click();
    await page.waitForURL(/#\/jobs\/job-/);
    await page.getByTestId('job-status').getByText('IN_PROGRESS').waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    await page.getByTestId('job-status').getByText('SUCCESS').waitFor({ timeout: 30_000 });
    const [{ rows }] = await session.server.ctx.db.query<{ rows: number }>(
      `SELECT sum(created_count)::int AS rows FROM job_task t JOIN job j USING (job_id) WHERE j.data_source_id = $1`,
      [id],
    );
    assert.ok(rows > 0);
    assert.equal(await page.getByTestId('job-rows').innerText(), rows.toLocaleString('en-US'));
    assert.equal(
      await page
        .getByRole('row', { name: /job-task-/ })
        .filter({ hasText: 'SUCCESS' })
        .count(),
      2,
    );
    assert.equal(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded), true);
    await page.getByRole('link', { name: 'Data sources' }).click();
    const source = page.getByRole('row', { name: /paced/ });
    await source.getByText('SUCCESS').waitFor();
    await source.getByRole('img', { name: /^Rows by month: \d{4}-\d{2} [\d,]+$/ }).waitFor();
  });

  it('Cancel on a running job ends it CANCELED', async () => {
    const id = await session.server.addDataSource('slow', SLOW);
    const [source] = await session.server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    const job = await session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' });
    const page = await open('/', admin);
    const row = page.getByRole('row', { name: new RegExp(job.job_id) });
    await row.getByText('IN_PROGRESS').waitFor();
    const cancel = row.getByRole('button', { name: `Cancel job ${job.job_id}` });
    await cancel.focus();
    await page.keyboard.press('Enter');
    await row.getByText('CANCELED').waitFor();
    assert.equal(await row.getByRole('button').count(), 0, 'no Cancel once it ended');
    await page.getByRole('status').getByText(`Job ${job.job_id} canceled.`).waitFor();
  });

  it('a failed job tells what failed and why', async () => {
    const id = await session.server.addDataSource('broken', BROKEN);
    const [source] = await session.server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    const job = await session.server.ctx.engine.waitForJob((await session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' })).job_id);
    assert.equal(job.status, 'FAILURE');
    const page = await open('/', admin);
    await page.getByLabel('Status').selectOption('FAILURE');
    await page.waitForURL(/status=FAILURE/);
    await page
      .getByRole('row', { name: /SUCCESS/ })
      .first()
      .waitFor({ state: 'detached' });
    const row = page.getByRole('row', { name: new RegExp(job.job_id) });
    await row.getByText('ERROR_JOB_TASK').waitFor();
    await row.getByRole('link', { name: job.job_id }).click();
    const why = page.getByRole('note', { name: 'Job error' });
    await why.getByText('ERROR_JOB_TASK').waitFor();
    await why.getByText('One or more job tasks have failed.').waitFor();
    const failed = page.getByRole('row', { name: /job-task-/ }).filter({ hasText: 'FAILURE' });
    await failed.getByText('ERROR_SYNTHETIC_FAILURE').waitFor();
    assert.match(await failed.innerText(), /task 1 fails by request/);
    await page.getByRole('heading', { name: 'Changed months' }).waitFor();
    assert.equal(await page.locator('.windows li').count(), 1);
  });

  it('a job whose older rows retention removed says how many, and how to keep them', async () => {
    const id = await session.server.addDataSource('history', { accounts: 1, months: 3, rows_per_day: 2, seed: 6 });
    await session.server.ctx.db.query('UPDATE data_source SET retention_months = 1 WHERE data_source_id = $1', [id]);
    const [source] = await session.server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    const job = await session.server.ctx.engine.waitForJob((await session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' })).job_id);
    assert.equal(job.status, 'SUCCESS');
    const removed = Number((job as { retention_deleted_count?: number }).retention_deleted_count);
    assert.ok(removed > 0, 'the sync loaded rows older than one month');
    const page = await open('/', admin);
    await page
      .getByRole('row', { name: new RegExp(job.job_id) })
      .getByRole('link', { name: job.job_id })
      .click();
    const note = page.getByTestId('retention-note');
    await note.waitFor();
    const text = await note.innerText();
    assert.match(text, new RegExp(`^Retention removed ${removed.toLocaleString('en-US')} rows billed before \\d{4}-\\d{2}\\.`));
    assert.match(text, /retention_months/);
  });

  it('a WORKSPACE_MEMBER sees jobs and data sources but no Cancel or Sync now', async () => {
    const member = await session.server.token('WORKSPACE_MEMBER', 'workspace-a');
    const page = await open('/#/data-sources', member);
    await page.getByRole('row', { name: /demo/ }).getByText('SUCCESS').waitFor();
    assert.equal(await page.getByRole('button', { name: /Sync .* now/ }).count(), 0);
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('row', { name: new RegExp(session.server.demoJob.job_id) }).waitFor();
    assert.equal(await page.getByRole('columnheader', { name: 'Actions' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Cancel/ }).count(), 0);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
  });
});
