import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { addMonths, daysInMonth, monthOf } from '../../src/domain/time.js';
import { openTestApp, type TestApp } from '../api/harness.js';
import { testClock } from '../helpers/engine-fixture.js';

/** The dashboard's files and its one extra read, through `app.inject()`. */
describe('dashboard files and routes', () => {
  let t: TestApp;
  before(async () => {
    t = await openTestApp('pglite');
  });
  after(() => t?.close());

  it('serves the page at / with a policy that forbids any other origin', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/' });
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /<script type="module" src="\/static\/js\/main.js"><\/script>/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
    const script = await t.app.inject({ method: 'GET', url: '/static/js/main.js' });
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    const css = await t.app.inject({ method: 'GET', url: '/static/app.css' });
    assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  });

  it('serves nothing outside its folder, and no unknown file types', async () => {
    for (const url of ['/static/../../../package.json', '/static/%2e%2e/%2e%2e/%2e%2e/package.json', '/static/js/nope.js', '/static/js']) {
      const answer = await t.app.inject({ method: 'GET', url });
      assert.equal(answer.statusCode, 404, url);
      assert.equal(answer.json().detail.code, 'ERROR_NOT_FOUND');
    }
  });

  it("rows by month (the dashboard's Cost.stat aggregate): published rows of a visible data source only", async () => {
    const token = await t.token({ domainId: 'd1', role: 'DOMAIN_ADMIN' });
    const ds = await t.post('/cost-analysis/v1/data-source/register', token, {
      name: 'm',
      resource_group: 'DOMAIN',
      plugin_info: { plugin_id: 'synthetic', options: { accounts: 2, months: 2, rows_per_day: 1 } },
    });
    t.ctx.engine.start();
    const job = await t.post('/cost-analysis/v1/data-source/sync', token, { data_source_id: ds.body.data_source_id });
    await t.ctx.engine.waitForJob(job.body.job_id);
    const byMonth = (who: string) =>
      t.post('/cost-analysis/v1/cost/stat', who, {
        data_source_id: ds.body.data_source_id,
        query: {
          aggregate: [
            {
              group: {
                keys: [{ key: 'billed_month', name: 'billed_month' }],
                fields: [
                  { name: 'rows', operator: 'count' },
                  { key: 'cost', name: 'cost', operator: 'sum' },
                ],
              },
            },
            { sort: { key: 'billed_month' } },
          ],
        },
      });
    const months = await byMonth(token);
    assert.equal(months.status, 200, months.text);
    const results: { billed_month: string; rows: number }[] = months.body.results;
    const current = monthOf(testClock());
    const previous = addMonths(current, -1);
    assert.deepEqual(
      results.map((r) => r.billed_month),
      [previous, current],
    );
    assert.equal(results[0].rows, 2 * daysInMonth(previous), 'two accounts, one row a day');
    const costs = await t.post('/cost-analysis/v1/cost/list', token, {
      data_source_id: ds.body.data_source_id,
      query: { count_only: true },
    });
    assert.equal(results[0].rows + results[1].rows, costs.body.total_count);
    assert.equal((await byMonth('')).status, 401);
    const other = await byMonth(await t.token({ domainId: 'd2', role: 'DOMAIN_ADMIN' }));
    assert.equal(other.status, 200, other.text);
    assert.deepEqual(other.body.results, [], 'another domain sees no rows');
  });
});
