import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CostInfo, GetTasksRequest, PluginClient } from '../../src/plugins/plugin.js';
import { accountsOf, setAccountWorkspace } from '../../src/store/data-source-accounts.js';
import { openTestApp, type TestApp } from '../api/harness.js';
import { BACKENDS } from '../helpers/backends.js';
import { testPlugins } from '../helpers/engine-fixture.js';

/**
 * Account routing end to end, with a plugin whose metadata asks for it: its accounts are kept
 * at register and sync, get_tasks gets them as linked_accounts, each row lands in the workspace
 * its account is mapped to (the mapping as the job was planned), unmapped accounts stay
 * domain-level, a workspace member sees only its workspace's rows, and synced accounts
 * become is_sync.
 */
const ACCOUNTS = ['111111111111', '222222222222', '333333333333'];
/** Rows per account and day; an account the plugin never listed also has rows. */
const ROWS: Record<string, number> = { '111111111111': 3, '222222222222': 2, '333333333333': 1, '999999999999': 1 };
const DAYS = ['2025-04-01', '2025-04-02'];

function routingPlugin(seen: GetTasksRequest[]): PluginClient {
  return {
    async init() {
      return { metadata: { currency: 'USD', use_account_routing: true, account_match_key: 'additional_info.Account ID' } };
    },
    async verify() {},
    async getLinkedAccounts() {
      return { results: ACCOUNTS.map((account_id, i) => ({ account_id, name: `account ${i + 1}` })) };
    },
    async getTasks(request) {
      seen.push(request);
      return {
        tasks: [{ task_options: { month: '2025-04' } }],
        changed: [{ start: '2025-04' }],
        synced_accounts: ACCOUNTS.slice(0, 2).map((account_id) => ({ account_id })),
      };
    },
    async *getData() {
      const page: CostInfo[] = [];
      for (const [account, perDay] of Object.entries(ROWS)) {
        for (const day of DAYS) {
          for (let i = 0; i < perDay; i++)
            page.push({ billed_date: day, cost: 1, provider: 'aws', additional_info: { 'Account ID': account } });
        }
      }
      yield page;
    },
  };
}

describe('account routing', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: rows land in the mapped workspaces; members see only theirs; unmapped stay domain-level`, async () => {
      const seen: GetTasksRequest[] = [];
      const t: TestApp = await openTestApp(backend, { plugins: testPlugins({ routing: routingPlugin(seen) }) });
      t.ctx.engine.start();
      try {
        const admin = await t.token({ domainId: 'domain-routing', role: 'DOMAIN_ADMIN' });
        const registered = await t.post('/cost-analysis/v1/data-source/register', admin, {
          name: 'org',
          plugin_info: { plugin_id: 'routing' },
        });
        assert.equal(registered.status, 200, registered.text);
        const id: string = registered.body.data_source_id;
        assert.deepEqual(
          (await accountsOf(t.db, id)).map((a) => [a.account_id, a.name, a.is_sync, a.workspace_id]),
          ACCOUNTS.map((account, i) => [account, `account ${i + 1}`, false, null]),
          'register keeps the accounts the plugin lists',
        );
        await setAccountWorkspace(t.db, id, ACCOUNTS[0], 'ws-one');
        await setAccountWorkspace(t.db, id, ACCOUNTS[1], 'ws-two');
        const info = await t.post('/cost-analysis/v1/data-source/get', admin, { data_source_id: id });
        assert.deepEqual([info.body.data_source_account_count, info.body.connected_workspace_count], [3, 2]);

        const sync = await t.post('/cost-analysis/v1/data-source/sync', admin, { data_source_id: id });
        assert.equal(sync.status, 200, sync.text);
        // Changed after planning: this job still routes with the mapping it was planned with.
        await setAccountWorkspace(t.db, id, ACCOUNTS[2], 'ws-one');
        const done = await t.ctx.engine.waitForJob(sync.body.job_id, { timeoutMs: 30_000 });
        assert.equal(done.status, 'SUCCESS', done.error_message ?? '');
        assert.deepEqual(
          seen.at(-1)?.linked_accounts?.map((a) => [a.account_id, a.data_source_id]),
          ACCOUNTS.map((a) => [a, id]),
        );

        const stored = await t.db.query<{ account_id: string; workspace_id: string | null; n: number }>(
          `SELECT account_id, workspace_id, count(*)::int AS n FROM published_cost WHERE data_source_id = $1
            GROUP BY account_id, workspace_id ORDER BY account_id`,
          [id],
        );
        assert.deepEqual(
          stored.map((r) => [r.account_id, r.workspace_id, r.n]),
          [
            [ACCOUNTS[0], 'ws-one', 6],
            [ACCOUNTS[1], 'ws-two', 4],
            [ACCOUNTS[2], null, 2],
            ['999999999999', null, 2],
          ],
        );

        const costs = async (token: string) => {
          const answer = await t.post('/cost-analysis/v1/cost/list', token, { data_source_id: id });
          assert.equal(answer.status, 200, answer.text);
          return answer.body.results.map((row: { account_id: string }) => row.account_id).sort();
        };
        const member = (workspaceId: string) => t.token({ domainId: 'domain-routing', role: 'WORKSPACE_MEMBER', workspaceId });
        assert.deepEqual(await costs(await member('ws-one')), Array(6).fill(ACCOUNTS[0]));
        assert.deepEqual(await costs(await member('ws-two')), Array(4).fill(ACCOUNTS[1]));
        assert.deepEqual(await costs(await member('ws-three')), []);
        assert.equal((await costs(admin)).length, 14, 'the domain admin sees every row');

        assert.deepEqual(
          (await accountsOf(t.db, id)).map((a) => [a.account_id, a.is_sync]),
          [
            [ACCOUNTS[0], true],
            [ACCOUNTS[1], true],
            [ACCOUNTS[2], false],
          ],
          'the accounts in synced_accounts are synced',
        );

        // The next sync routes with the new mapping, and replaces the month exactly.
        const again = await t.post('/cost-analysis/v1/data-source/sync', admin, { data_source_id: id });
        assert.equal((await t.ctx.engine.waitForJob(again.body.job_id, { timeoutMs: 30_000 })).status, 'SUCCESS');
        assert.deepEqual((await costs(await member('ws-one'))).length, 6 + 2);
        assert.equal((await costs(admin)).length, 14, 'replaced, not doubled');
      } finally {
        await t.close();
      }
    });
  }
});
