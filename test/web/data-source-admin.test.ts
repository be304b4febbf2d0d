import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dashboardSession } from './dashboard-session.js';

/**
 * A data source managed from the dashboard alone, in Chromium: registered (with its mistakes
 * shown next to the field), edited, given a secret that is never shown back, verified, synced,
 * seen in its job history, and deregistered. What the server holds is read back each time.
 */
describe('a data source, from the dashboard alone', () => {
  const session = dashboardSession();
  const stored = async (name: string) =>
    (
      await session.server.ctx.db.query<{
        data_source_id: string;
        plugin_info: { options: Record<string, unknown> };
        schedule_hour: number;
        secret: boolean;
      }>(
        `SELECT data_source_id, plugin_info, schedule_hour, secret_data_encrypted IS NOT NULL AS secret FROM data_source WHERE name = $1`,
        [name],
      )
    )[0];

  it('is registered, edited, verified, synced and deregistered', async () => {
    const page = await session.signedIn();
    await page.getByRole('link', { name: 'Data sources' }).click();
    await page.getByRole('link', { name: 'Register a data source' }).click();
    const form = page.getByRole('form', { name: 'Register a data source' });
    await form.getByLabel('Name').fill('billing');
    await form.getByLabel('Plugin').fill('synthetic');

    await form.getByLabel('Options (JSON)').fill('{"accounts": ');
    await form.getByRole('button', { name: 'Register' }).click();
    await page
      .locator('#ds-options-error')
      .getByText(/^Options is not JSON/)
      .waitFor();
    assert.equal(await stored('billing'), undefined, 'nothing was sent');

    await form.getByLabel('Options (JSON)').fill('{"accounts": 0, "months": 1}');
    await form.getByRole('button', { name: 'Register' }).click();
    await page
      .locator('#ds-options-error')
      .getByText(/ERROR_INVALID_PARAMETER: .*accounts/)
      .waitFor();
    assert.equal(await stored('billing'), undefined);

    await form.getByLabel('Options (JSON)').fill('{"accounts": 1, "months": 1, "rows_per_day": 2, "seed": 3}');
    await form.getByLabel('Hour (UTC)').fill('3');
    await form.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: /^billing ds-/ }).waitFor();
    const registered = await stored('billing');
    assert.deepEqual([registered.plugin_info.options.rows_per_day, registered.schedule_hour], [2, 3]);

    const edit = page.getByRole('form', { name: 'Edit billing' });
    await edit.getByLabel('Options (JSON)').fill('{"accounts": 1, "months": 1, "rows_per_day": 4, "seed": 3}');
    await edit.getByLabel('Hour (UTC)').fill('5');
    await edit.getByLabel('Secret (JSON, write-only)').fill('{"token": "s3cret-value"}');
    await edit.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('billing was saved.').waitFor();
    const edited = await stored('billing');
    assert.deepEqual([edited.plugin_info.options.rows_per_day, edited.schedule_hour, edited.secret], [4, 5, true]);
    assert.equal(await page.getByRole('form', { name: 'Edit billing' }).getByLabel('Secret (JSON, write-only)').inputValue(), '');
    assert.ok(!(await page.content()).includes('s3cret-value'), 'the secret is never shown back');

    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('status').getByText('billing: the plugin accepts its options and secret.').waitFor();

    await page.getByRole('button', { name: 'Sync billing now' }).click();
    await page.waitForURL(/#\/jobs\/job-/);
    await page.getByTestId('job-status').getByText('SUCCESS').waitFor({ timeout: 30_000 });
    const jobId = /#\/jobs\/(job-[0-9a-f]{12})/.exec(page.url())![1];
    await page.goto(`${session.server.url}/#/data-sources/${edited.data_source_id}`);
    await page
      .getByRole('table', { name: 'Job history' })
      .getByRole('row', { name: new RegExp(jobId) })
      .getByText('SUCCESS')
      .waitFor();

    await page.getByRole('button', { name: 'Deregister…' }).click();
    await page.getByRole('button', { name: 'Yes, deregister billing' }).click();
    await page.waitForURL(/#\/data-sources$/);
    await page.getByRole('row', { name: /demo/ }).waitFor();
    assert.equal(await page.getByRole('row', { name: /billing/ }).count(), 0);
    assert.equal(await stored('billing'), undefined);
  });
});
