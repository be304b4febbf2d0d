import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { startGrpcServer, type RunningGrpcServer } from '../../src/api/grpc/server.js';
import { markAccountsSynced, upsertAccounts } from '../../src/store/data-source-accounts.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { DOMAIN_A, DOMAIN_B, registerBody } from './world.js';

/**
 * DataSourceAccount (account routing's management API) over REST and gRPC: accounts seeded
 * on registered data sources, then listed, read, mapped to a workspace, reset and counted, by
 * a DOMAIN_ADMIN only.
 */
const PROTO_DIR = join(fileURLToPath(new URL('.', import.meta.url)), '../../proto');
const v1 = (
  loadPackageDefinition(
    loadSync(['spaceone/api/cost_analysis/v1/data_source_account.proto'], {
      includeDirs: [PROTO_DIR, '/usr/include'],
      keepCase: true,
      longs: Number,
      defaults: false,
      oneofs: true,
    }),
  ) as any
).spaceone.api.cost_analysis.v1;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ids = (answer: { body: { results: { account_id: string }[] } }) => answer.body.results.map((a) => a.account_id);

for (const backend of BACKENDS) {
  describe(`DataSourceAccount (${backend})`, () => {
    let t: TestApp;
    let tokens: { da: string; wo1: string; wm1: string; daB: string };
    /** Two data sources of domain A; both reach the account `acct-shared`. */
    let ds1: string;
    let ds2: string;
    const post = (verb: string, token: string, body: Record<string, unknown>) =>
      t.post(`/cost-analysis/v1/data-source-account/${verb}`, token, body);
    const register = async (name: string) => {
      const answer = await t.post('/cost-analysis/v1/data-source/register', tokens.da, registerBody({ name, resource_group: 'DOMAIN' }));
      assert.equal(answer.status, 200, answer.text);
      return answer.body as { data_source_id: string; domain_id: string };
    };

    before(async () => {
      t = await openTestApp(backend);
      tokens = {
        da: await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' }),
        wo1: await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_OWNER', workspaceId: 'ws-1' }),
        wm1: await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_MEMBER', workspaceId: 'ws-1' }),
        daB: await t.token({ domainId: DOMAIN_B, role: 'DOMAIN_ADMIN' }),
      };
      const first = await register('routed one');
      const second = await register('routed two');
      ds1 = first.data_source_id;
      ds2 = second.data_source_id;
      const seeds = [
        {
          dataSource: first,
          accounts: [
            { account_id: 'acct-2', name: 'Dev' },
            { account_id: 'acct-1', name: 'Prod' },
            { account_id: 'acct-shared', name: 'Shared' },
          ],
        },
        { dataSource: second, accounts: [{ account_id: 'acct-shared', name: 'Shared too' }] },
      ];
      // The later data source id first, so only the data source id as a tiebreaker gives data source order.
      seeds.sort((a, b) => (a.dataSource.data_source_id < b.dataSource.data_source_id ? 1 : -1));
      for (const seed of seeds) await upsertAccounts(t.db, seed.dataSource, seed.accounts);
      await markAccountsSynced(t.db, ds1, ['acct-1']);
    });
    after(() => t?.close());

    it('list: a data source’s accounts in account order, with total_count and the view’s fields', async () => {
      const answer = await post('list', tokens.da, { data_source_id: ds1 });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.total_count, 3);
      assert.deepEqual(ids(answer), ['acct-1', 'acct-2', 'acct-shared']);
      const prod = answer.body.results[0];
      assert.deepEqual(Object.keys(prod).sort(), [
        'account_id',
        'created_at',
        'data_source_id',
        'domain_id',
        'is_sync',
        'name',
        'updated_at',
      ]);
      assert.deepEqual([prod.data_source_id, prod.name, prod.is_sync, prod.domain_id], [ds1, 'Prod', true, DOMAIN_A]);
      assert.match(prod.created_at, TIMESTAMP);
      assert.equal(answer.body.results[1].is_sync, false, 'false is returned, not omitted');
      const unsynced = await post('list', tokens.da, { data_source_id: ds1, is_sync: false });
      assert.deepEqual(ids(unsynced), ['acct-2', 'acct-shared']);
      assert.equal((await post('list', tokens.da, {})).body.total_count, 4);
    });

    it('list: one page at a time, an account two data sources share comes once from each, in data source order', async () => {
      const page = (start: number) =>
        post('list', tokens.da, { account_id: 'acct-shared', query: { sort: [{ key: 'account_id' }], page: { start, limit: 1 } } });
      const pages = [await page(1), await page(2)];
      assert.deepEqual(
        pages.map((p) => [p.body.total_count, p.body.results[0].data_source_id]),
        [
          [2, [ds1, ds2].sort()[0]],
          [2, [ds1, ds2].sort()[1]],
        ],
      );
    });

    it('get: the account of the named data source; an unknown account is 404, a missing key 400', async () => {
      const answer = await post('get', tokens.da, { data_source_id: ds2, account_id: 'acct-shared' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual([answer.body.data_source_id, answer.body.account_id, answer.body.name], [ds2, 'acct-shared', 'Shared too']);
      assert.equal(errorOf(await post('get', tokens.da, { data_source_id: ds2, account_id: 'acct-1' })).code, 'ERROR_NOT_FOUND');
      assert.equal(errorOf(await post('get', tokens.da, { data_source_id: 'ds-missing', account_id: 'acct-1' })).status, 404);
      const missing = errorOf(await post('get', tokens.da, { data_source_id: ds1 }));
      assert.deepEqual([missing.status, missing.code], [400, 'ERROR_REQUIRED_PARAMETER']);
    });

    it('update maps an account to a workspace, list filters by it, "" clears it; "*" and unknown accounts are refused', async () => {
      const mapped = await post('update', tokens.da, { data_source_id: ds1, account_id: 'acct-2', workspace_id: 'ws-1' });
      assert.equal(mapped.status, 200, mapped.text);
      assert.deepEqual([mapped.body.account_id, mapped.body.workspace_id], ['acct-2', 'ws-1']);
      assert.match(mapped.body.updated_at, TIMESTAMP);
      const inWs1 = await post('list', tokens.da, { workspace_id: 'ws-1' });
      assert.deepEqual([inWs1.body.total_count, ids(inWs1)], [1, ['acct-2']]);
      assert.equal((await post('get', tokens.da, { data_source_id: ds1, account_id: 'acct-2' })).body.workspace_id, 'ws-1');

      await post('update', tokens.da, { data_source_id: ds1, account_id: 'acct-shared', workspace_id: 'ws-2' });
      const cleared = await post('update', tokens.da, { data_source_id: ds1, account_id: 'acct-shared', workspace_id: '' });
      assert.equal(cleared.status, 200, cleared.text);
      assert.equal('workspace_id' in cleared.body, false);

      const star = errorOf(await post('update', tokens.da, { data_source_id: ds1, account_id: 'acct-1', workspace_id: '*' }));
      assert.deepEqual([star.status, star.code], [400, 'ERROR_INVALID_PARAMETER']);
      const unknown = errorOf(await post('update', tokens.da, { data_source_id: ds1, account_id: 'acct-9', workspace_id: 'ws-1' }));
      assert.deepEqual([unknown.status, unknown.code], [404, 'ERROR_NOT_FOUND']);
    });

    it('stat counts accounts grouped by is_sync', async () => {
      const answer = await post('stat', tokens.da, {
        query: { aggregate: [{ group: { keys: [{ key: 'is_sync', name: 'is_sync' }], fields: [{ name: 'count', operator: 'count' }] } }] },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.results, [
        { is_sync: false, count: 3 },
        { is_sync: true, count: 1 },
      ]);
    });

    it('the same list over gRPC (a generic client from our .proto), is_sync false included', async () => {
      const server: RunningGrpcServer = await startGrpcServer(t.ctx, 0);
      const client = new v1.DataSourceAccount(`127.0.0.1:${server.port}`, credentials.createInsecure());
      const call = (method: string, request: unknown, token: string): Promise<any> => {
        const metadata = new Metadata();
        metadata.set('token', token);
        return new Promise((resolve, reject) =>
          client[method](request, metadata, { deadline: Date.now() + 20_000 }, (error: ServiceError | null, answer: unknown) =>
            error ? reject(error) : resolve(answer),
          ),
        );
      };
      // proto3 leaves a false bool off the wire; the generic client then has no key for it.
      const asRest = (account: Record<string, unknown>) => ({ is_sync: false, ...account });
      try {
        for (const request of [{ data_source_id: ds1 }, { data_source_id: ds1, is_sync: false }, {}]) {
          const rest = await post('list', tokens.da, request);
          const grpc = await call('list', request, tokens.da);
          assert.equal(grpc.total_count, rest.body.total_count, JSON.stringify(request));
          assert.deepEqual(grpc.results.map(asRest), rest.body.results, JSON.stringify(request));
        }
        await assert.rejects(call('list', {}, tokens.wm1), (error: ServiceError) => {
          assert.equal(error.code, status.PERMISSION_DENIED);
          assert.match(error.details, /^ERROR_PERMISSION_DENIED: /);
          return true;
        });
      } finally {
        client.close();
        await server.stop();
      }
    });

    it('reset clears the mapping and is_sync of one account, or of all of them, and answers {}', async () => {
      const one = await post('reset', tokens.da, { data_source_id: ds1, account_id: 'acct-1' });
      assert.deepEqual([one.status, one.body], [200, {}]);
      const acct1 = await post('get', tokens.da, { data_source_id: ds1, account_id: 'acct-1' });
      assert.equal(acct1.body.is_sync, false);
      assert.equal(
        (await post('get', tokens.da, { data_source_id: ds1, account_id: 'acct-2' })).body.workspace_id,
        'ws-1',
        'others untouched',
      );

      await post('update', tokens.da, { data_source_id: ds2, account_id: 'acct-shared', workspace_id: 'ws-2' });
      const all = await post('reset', tokens.da, { data_source_id: ds1 });
      assert.deepEqual([all.status, all.body], [200, {}]);
      const after = await post('list', tokens.da, { data_source_id: ds1 });
      assert.deepEqual(
        after.body.results.map((a: any) => [a.account_id, a.is_sync, a.workspace_id]),
        [
          ['acct-1', false, undefined],
          ['acct-2', false, undefined],
          ['acct-shared', false, undefined],
        ],
      );
      assert.deepEqual(
        ids(await post('list', tokens.da, { workspace_id: 'ws-2' })),
        ['acct-shared'],
        'another data source keeps its mapping',
      );
      assert.equal(errorOf(await post('reset', tokens.da, { data_source_id: ds1, account_id: 'acct-9' })).code, 'ERROR_NOT_FOUND');
    });

    it('WORKSPACE_OWNER and WORKSPACE_MEMBER get 403 on every verb; another domain’s DOMAIN_ADMIN gets 404', async () => {
      const requests: [string, Record<string, unknown>][] = [
        ['get', { data_source_id: ds1, account_id: 'acct-1' }],
        ['list', { data_source_id: ds1 }],
        ['update', { data_source_id: ds1, account_id: 'acct-1', workspace_id: 'ws-1' }],
        ['reset', { data_source_id: ds1 }],
        ['stat', { query: { distinct: 'account_id' } }],
      ];
      for (const [verb, body] of requests) {
        for (const token of [tokens.wo1, tokens.wm1]) {
          const refused = errorOf(await post(verb, token, body));
          assert.deepEqual([refused.status, refused.code], [403, 'ERROR_PERMISSION_DENIED'], verb);
        }
        if (verb === 'stat') {
          const nothing = await post(verb, tokens.daB, body);
          assert.deepEqual([nothing.status, nothing.body.results], [200, []], 'stat sees no other domain');
          continue;
        }
        const hidden = errorOf(await post(verb, tokens.daB, body));
        assert.deepEqual([hidden.status, hidden.code], [404, 'ERROR_NOT_FOUND'], verb);
      }
      const otherDomain = await post('list', tokens.daB, {});
      assert.deepEqual([otherDomain.status, otherDomain.body.total_count], [200, 0]);
      const untouched = await post('get', tokens.da, { data_source_id: ds1, account_id: 'acct-1' });
      assert.equal('workspace_id' in untouched.body, false, 'the refused update changed nothing');
    });
  });
}
