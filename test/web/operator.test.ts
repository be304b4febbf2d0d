import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertDataSource } from '../helpers/engine-fixture.js';
import { dashboardSession } from './dashboard-session.js';

/**
 * What an operator found by using the dashboard, each fixed and held here in Chromium: the
 * failed-job banner names the failed task's error; progress bars take their job's colour; a job
 * that failed while planning says so, not "planning"; a sign-in link works in an open tab;
 * times say their zone; a new job shows within a couple of seconds; the jobs page searches by
 * id and pages through older jobs.
 */
describe('the dashboard, as operators use it', () => {
  const session = dashboardSession();
  const signedIn = (hash = '') => session.signedIn(hash);
  const syncOf = async (name: string, options: Record<string, unknown>) => {
    const id = await session.server.addDataSource(name, options);
    const [source] = await session.server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    return session.server.ctx.engine.waitForJob((await session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' })).job_id);
  };

  it("a failed job's banner names the failed task and its error; its progress bar is the failure colour", async () => {
    const job = await syncOf('broken', { accounts: 1, months: 2, fail_task: 1, seed: 5 });
    assert.equal(job.status, 'FAILURE');
    const page = await signedIn(`#/jobs/${job.job_id}`);
    const why = page.getByRole('note', { name: 'Job error' });
    const failed = why.getByRole('list', { name: 'Failed tasks' });
    await failed.getByText('ERROR_SYNTHETIC_FAILURE').waitFor();
    assert.match(await failed.innerText(), /job-task-[0-9a-f]{12} FAILURE: ERROR_SYNTHETIC_FAILURE/);
    assert.equal(await page.locator('.progress-failure progress').count(), 1);
    await page.goto(`${session.server.url}/#/jobs`);
    const row = page.getByRole('row', { name: new RegExp(job.job_id) });
    await row.locator('.progress-failure').waitFor();
    assert.equal(
      await page
        .getByRole('row', { name: new RegExp(session.server.demoJob.job_id) })
        .locator('.progress-success')
        .count(),
      1,
    );
  });

  it('a job that failed while planning says it ended before its plan, not that it is planning', async () => {
    const source = await insertDataSource(session.server.ctx.db, { accounts: 'many' }, { pluginId: 'synthetic', domainId: 'domain-demo' });
    // The sync is refused (502 ERROR_GET_JOB_TASKS), and the job it made stays, ended FAILURE.
    await assert.rejects(session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' }), /ERROR_GET_JOB_TASKS|Failed to get job tasks/);
    const [job] = await session.server.ctx.db.query<{ job_id: string; status: string }>(
      'SELECT job_id, status FROM job WHERE data_source_id = $1',
      [source.data_source_id],
    );
    assert.equal(job.status, 'FAILURE');
    const page = await signedIn(`#/jobs/${job.job_id}`);
    await page.getByText('No tasks: the job ended FAILURE before its plan was made.').waitFor();
    assert.equal(await page.getByText(/planning/).count(), 0);
  });

  it('a sign-in link opened in a tab that shows the sign-in form signs in and leaves the address bar', async () => {
    const page = await session.page();
    await page.goto(`${session.server.url}/`);
    await page.getByLabel('API token').waitFor();
    assert.equal(await page.locator('#nav').isVisible(), false, 'no navigation while signed out');
    await page.evaluate(
      (token: string) => {
        (globalThis as unknown as { location: { hash: string } }).location.hash = `#token=${token}`;
      },
      await session.server.token(),
    );
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    assert.ok(!page.url().includes('token'), page.url());
  });

  it('times are UTC and say so; a new job shows within 2 s, found by its id', async () => {
    const page = await signedIn();
    const started = page.getByRole('row', { name: new RegExp(session.server.demoJob.job_id) }).locator('time');
    assert.match(await started.innerText(), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    const job = await syncOf('fresh', { accounts: 1, months: 1, rows_per_day: 1, seed: 8 });
    await page.getByRole('row', { name: new RegExp(job.job_id) }).waitFor({ timeout: 4_000 });
    await page.getByLabel('Job id').fill(job.job_id.slice(4, 12));
    await page.getByLabel('Job id').press('Enter');
    await page.waitForURL(/q=/);
    await page.getByRole('row', { name: new RegExp(job.job_id) }).waitFor();
    await page.getByText(/^1–1 of 1 job$/).waitFor();
  });

  it('pages through older jobs, 50 a page', async () => {
    const id = await session.server.addDataSource('many', { accounts: 1, months: 1, rows_per_day: 1, seed: 9 });
    const [source] = await session.server.ctx.db.query<any>('SELECT * FROM data_source WHERE data_source_id = $1', [id]);
    for (let i = 0; i < 50; i++)
      await session.server.ctx.engine.waitForJob((await session.server.ctx.engine.sync(source, { syncMode: 'MANUAL' })).job_id);
    const [{ n }] = await session.server.ctx.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM job WHERE domain_id = 'domain-demo'`);
    assert.ok(n > 50);
    const page = await signedIn();
    await page.getByText(new RegExp(`^1–50 of ${n} jobs$`)).waitFor();
    await page.getByRole('link', { name: 'Older →' }).click();
    await page.getByText(new RegExp(`^51–${n} of ${n} jobs$`)).waitFor();
    await page.getByRole('row', { name: new RegExp(session.server.demoJob.job_id) }).waitFor();
    await page.getByRole('link', { name: '← Newer' }).click();
    await page.getByText(new RegExp(`^1–50 of ${n} jobs$`)).waitFor();
  });
});
