import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { PluginError, type PluginClient } from '../../src/plugins/plugin.js';
import { makeSyntheticPlugin } from '../../src/plugins/synthetic/plugin.js';
import { BACKENDS } from '../helpers/backends.js';
import { testClock, testPlugins } from '../helpers/engine-fixture.js';
import { errorOf, openTestApp, type Answer, type TestApp } from './harness.js';
import { DOMAIN_A, insertCost, insertJob, registerBody, SECRET_VALUE } from './world.js';

/** A plugin that records what the service sends and rejects the secret `{"api_key": "wrong"}`. */
function recordingPlugin() {
  const calls: { method: string; request: any }[] = [];
  const synthetic = makeSyntheticPlugin(testClock);
  const plugin: PluginClient = {
    async init(request) {
      calls.push({ method: 'init', request });
      return { metadata: { currency: 'USD', seen_options: request.options } };
    },
    async verify(request) {
      calls.push({ method: 'verify', request });
      if (request.secret_data.api_key === 'wrong') throw new PluginError('ERROR_INVALID_PARAMETER', 'api_key is not accepted');
      if (request.secret_data.api_key === 'unreachable') throw new PluginError('ERROR_UNKNOWN', 'upstream is down', true);
    },
    getTasks: (request, signal) => synthetic.getTasks(request, signal),
    getData: (request, signal) => synthetic.getData(request, signal),
  };
  return { plugin, calls };
}

for (const backend of BACKENDS) {
  describe(`DataSource (${backend})`, () => {
    let t: TestApp;
    let da: string;
    let wo1: string;
    let wm1: string;
    const recorder = recordingPlugin();
    const logLines: string[] = [];
    const responses: Answer[] = [];
    const post = async (path: string, token: string, body: Record<string, unknown>) => {
      const answer = await t.post(`/cost-analysis/v1/data-source/${path}`, token, body);
      responses.push(answer);
      return answer;
    };

    before(async () => {
      const sink = new Writable({
        write: (chunk, _enc, done) => {
          logLines.push(String(chunk));
          done();
        },
      });
      t = await openTestApp(backend, {
        plugins: testPlugins({ recorder: recorder.plugin }),
        log: pino({ level: 'trace' }, sink),
      });
      da = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN' });
      wo1 = await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_OWNER', workspaceId: 'ws-1' });
      wm1 = await t.token({ domainId: DOMAIN_A, role: 'WORKSPACE_MEMBER', workspaceId: 'ws-1' });
    });
    after(() => t.close());
    beforeEach(() => recorder.calls.splice(0));

    it('registers with defaults, calls init and verify, and stores the metadata', async () => {
      const answer = await post('register', da, {
        name: '  aws billing ',
        plugin_info: { plugin_id: 'recorder', options: { bucket: 'b1' }, secret_data: { api_key: SECRET_VALUE } },
      });
      assert.equal(answer.status, 200, answer.text);
      const ds = answer.body;
      assert.match(ds.data_source_id, /^ds-[0-9a-f]{12}$/);
      assert.equal(ds.name, 'aws billing');
      assert.equal(ds.data_source_type, 'EXTERNAL');
      assert.equal(ds.secret_type, 'MANUAL');
      assert.deepEqual(ds.schedule, { state: 'ENABLED', hour: 16 });
      assert.deepEqual([ds.resource_group, ds.workspace_id, ds.domain_id], ['DOMAIN', '*', DOMAIN_A]);
      assert.deepEqual(ds.plugin_info, {
        plugin_id: 'recorder',
        options: { bucket: 'b1' },
        metadata: { currency: 'USD', seen_options: { bucket: 'b1' } },
        upgrade_mode: 'AUTO',
      });
      assert.deepEqual([ds.data_source_account_count, ds.connected_workspace_count], [0, 0]);
      assert.deepEqual(ds.tags, {});
      assert.deepEqual(
        recorder.calls.map((c) => c.method),
        ['init', 'verify'],
      );
      assert.deepEqual(recorder.calls[0].request, { options: { bucket: 'b1' }, domain_id: DOMAIN_A });
      assert.deepEqual(recorder.calls[1].request.secret_data, { api_key: SECRET_VALUE });
      const [row] = await t.db.query<{ secret_data_encrypted: string }>(
        'SELECT secret_data_encrypted FROM data_source WHERE data_source_id = $1',
        [ds.data_source_id],
      );
      assert.ok(!row.secret_data_encrypted.includes(SECRET_VALUE));
      assert.deepEqual(t.ctx.secrets.open(row.secret_data_encrypted), { api_key: SECRET_VALUE });
    });

    it('registers without secret data (no verify call) and accepts hour 0', async () => {
      const answer = await post('register', da, {
        name: 'midnight',
        resource_group: 'WORKSPACE',
        workspace_id: 'ws-1',
        plugin_info: { plugin_id: 'recorder' },
        schedule: { hour: 0 },
      });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.schedule, { state: 'ENABLED', hour: 0 });
      assert.deepEqual([answer.body.resource_group, answer.body.workspace_id], ['WORKSPACE', 'ws-1']);
      assert.deepEqual(
        recorder.calls.map((c) => c.method),
        ['init'],
      );
    });

    it('rejects bad registrations with a code that says what to fix', async () => {
      const cases: [Record<string, unknown>, number, string, RegExp][] = [
        [{ plugin_info: { plugin_id: 'recorder' } }, 400, 'ERROR_REQUIRED_PARAMETER', /key = name/],
        [{ name: 'x' }, 400, 'ERROR_REQUIRED_PARAMETER', /plugin_info.plugin_id/],
        [{ name: 'x', plugin_info: {} }, 400, 'ERROR_REQUIRED_PARAMETER', /plugin_info.plugin_id/],
        [{ name: 'x', plugin_info: { plugin_id: 'nope' } }, 400, 'ERROR_INVALID_PARAMETER', /unknown plugin "nope"/],
        [{ name: 'x', plugin_info: { plugin_id: 'recorder' }, schedule: { hour: 24 } }, 400, 'ERROR_INVALID_PARAMETER', /schedule.hour/],
        [
          { name: 'x', plugin_info: { plugin_id: 'recorder' }, schedule: { hour: '3' } },
          400,
          'ERROR_INVALID_PARAMETER_TYPE',
          /schedule.hour/,
        ],
        [
          { name: 'x', plugin_info: { plugin_id: 'recorder' }, resource_group: 'WORKSPACE' },
          400,
          'ERROR_REQUIRED_PARAMETER',
          /workspace_id/,
        ],
        [
          { name: 'x', plugin_info: { plugin_id: 'recorder' }, data_source_type: 'WAREHOUSE' },
          400,
          'ERROR_INVALID_PARAMETER',
          /data_source_type/,
        ],
        [
          { name: 'x', plugin_info: { plugin_id: 'recorder', secret_data: { api_key: 'wrong' } } },
          400,
          'ERROR_INVALID_PARAMETER',
          /api_key is not accepted/,
        ],
        [
          { name: 'x', plugin_info: { plugin_id: 'recorder', secret_data: { api_key: 'unreachable' } } },
          502,
          'ERROR_PLUGIN',
          /upstream is down/,
        ],
        [{ name: 'x', plugin_info: { plugin_id: 'synthetic', options: { months: 'many' } } }, 400, 'ERROR_INVALID_PARAMETER', /months/],
      ];
      for (const [body, status, code, message] of cases) {
        const answer = await post('register', da, body);
        assert.equal(answer.status, status, JSON.stringify(body));
        assert.equal(errorOf(answer).code, code, JSON.stringify(body));
        assert.match(errorOf(answer).message, message);
      }
    });

    it('keeps names unique per domain (409), not across domains', async () => {
      const first = await post('register', da, registerBody({ name: 'unique name' }));
      assert.equal(first.status, 200);
      const clash = await post('register', da, registerBody({ name: 'unique name' }));
      assert.deepEqual([clash.status, errorOf(clash).code], [409, 'ERROR_SAVE_UNIQUE_VALUES']);
      const otherDomain = await t.token({ domainId: 'domain-other000000', role: 'DOMAIN_ADMIN' });
      assert.equal((await post('register', otherDomain, registerBody({ name: 'unique name' }))).status, 200);
    });

    it('updates name, schedule and tags; template and secret_filter only where allowed', async () => {
      const { body: ds } = await post('register', da, registerBody({ name: 'to update' }));
      const updated = await post('update', da, {
        data_source_id: ds.data_source_id,
        name: 'updated',
        schedule: { state: 'DISABLED' },
        tags: { team: 'finops' },
      });
      assert.equal(updated.status, 200, updated.text);
      assert.deepEqual(
        [updated.body.name, updated.body.schedule, updated.body.tags],
        ['updated', { state: 'DISABLED', hour: 16 }, { team: 'finops' }],
      );
      const filter = await post('update', da, { data_source_id: ds.data_source_id, secret_filter: { secrets: ['s'] } });
      assert.deepEqual([filter.status, errorOf(filter).code], [400, 'ERROR_NOT_ALLOW_SECRET_FILTER']);
      const template = await post('update', da, { data_source_id: ds.data_source_id, template: { a: 1 } });
      assert.deepEqual([template.status, errorOf(template).code], [400, 'ERROR_INVALID_PARAMETER']);
    });

    it('update_plugin merges options and initialises the plugin again', async () => {
      const { body: ds } = await post('register', da, {
        name: 'plugin update',
        plugin_info: { plugin_id: 'recorder', options: { a: 1, b: 2 } },
      });
      recorder.calls.splice(0);
      const answer = await post('update-plugin', da, { data_source_id: ds.data_source_id, options: { b: 3 }, version: '1.2' });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.body.plugin_info.options, { a: 1, b: 3 });
      assert.equal(answer.body.plugin_info.version, '1.2');
      assert.deepEqual(answer.body.plugin_info.metadata.seen_options, { a: 1, b: 3 });
      assert.deepEqual(
        recorder.calls.map((c) => c.method),
        ['init'],
      );
    });

    it('update_secret_data verifies and replaces the secret; verify_plugin uses the stored one', async () => {
      const { body: ds } = await post('register', da, registerBody({ name: 'secret rotation', plugin_info: { plugin_id: 'recorder' } }));
      const wrong = await post('update-secret-data', da, { data_source_id: ds.data_source_id, secret_data: { api_key: 'wrong' } });
      assert.equal(wrong.status, 400);
      const rotated = await post('update-secret-data', da, { data_source_id: ds.data_source_id, secret_data: { api_key: SECRET_VALUE } });
      assert.equal(rotated.status, 200, rotated.text);
      recorder.calls.splice(0);
      const verified = await post('verify-plugin', da, { data_source_id: ds.data_source_id });
      assert.deepEqual([verified.status, verified.body], [200, {}]);
      assert.deepEqual(recorder.calls[0].request.secret_data, { api_key: SECRET_VALUE });
      const missing = await post('update-secret-data', da, { data_source_id: ds.data_source_id });
      assert.deepEqual(errorOf(missing).code, 'ERROR_REQUIRED_PARAMETER');
    });

    it('hides permission-denied data keys from workspace roles', async () => {
      const { body: ds } = await post('register', da, registerBody({ name: 'keys', resource_group: 'WORKSPACE', workspace_id: 'ws-1' }));
      await t.db.query(`UPDATE data_source SET cost_data_keys = '{hours,price}' WHERE data_source_id = $1`, [ds.data_source_id]);
      const denied = await post('update-permissions', da, { data_source_id: ds.data_source_id, permissions: { deny: ['data.price'] } });
      assert.deepEqual(denied.body.cost_data_keys, ['hours', 'price']);
      const asMember = await post('get', wm1, { data_source_id: ds.data_source_id });
      assert.deepEqual(asMember.body.cost_data_keys, ['hours']);
      const asOwner = await post('update-permissions', wo1, { data_source_id: ds.data_source_id, permissions: {} });
      assert.equal(asOwner.status, 403);
    });

    it('deregister deletes the cost rows by default, keeps jobs, and honours cascade_delete_cost=false', async () => {
      for (const cascade of [undefined, false]) {
        const { body: ds } = await post('register', da, registerBody({ name: `deregister ${cascade}` }));
        const job = await insertJob(t, ds, 'SUCCESS', '2025-09-01T00:00:00Z');
        const costId = await insertCost(t, ds, job, '2025-08-01', 1);
        const gone = await post('deregister', da, {
          data_source_id: ds.data_source_id,
          ...(cascade === undefined ? {} : { cascade_delete_cost: cascade }),
        });
        assert.deepEqual([gone.status, gone.body], [200, {}]);
        assert.equal((await post('get', da, { data_source_id: ds.data_source_id })).status, 404);
        const jobAfter = await t.post('/cost-analysis/v1/job/get', da, { job_id: job.jobId });
        assert.equal(jobAfter.status, 200);
        const cost = await t.post('/cost-analysis/v1/cost/get', da, { cost_id: costId });
        assert.equal(cost.status, cascade === false ? 200 : 404);
      }
    });

    it('deregister cancels a running job of the data source', async () => {
      const { body: ds } = await post('register', da, registerBody({ name: 'running at deregister' }));
      const job = await insertJob(t, ds, 'IN_PROGRESS', '2025-09-01T00:00:00Z');
      assert.equal((await post('deregister', da, { data_source_id: ds.data_source_id })).status, 200);
      const after = await t.post('/cost-analysis/v1/job/get', da, { job_id: job.jobId });
      assert.equal(after.body.status, 'CANCELED');
    });

    it('lists with request filters, minimal and only', async () => {
      const byName = await post('list', da, { name: 'updated' });
      assert.deepEqual(
        byName.body.results.map((r: any) => r.name),
        ['updated'],
      );
      const minimal = await post('list', da, { name: 'updated', query: { minimal: true } });
      assert.deepEqual(Object.keys(minimal.body.results[0]).sort(), [
        'data_source_id',
        'data_source_type',
        'name',
        'schedule',
        'secret_type',
        'workspace_id',
      ]);
      const only = await post('list', da, { query: { only: ['name', 'schedule.hour'], filter: [{ k: 'name', v: 'updated', o: 'eq' }] } });
      assert.deepEqual(only.body.results, [{ name: 'updated', schedule: { hour: 16 } }]);
      const badType = await post('list', da, { data_source_type: 'CLOUD' });
      assert.equal(errorOf(badType).code, 'ERROR_INVALID_PARAMETER');
    });

    it('never returns or logs the secret data', async () => {
      await post('list', da, {});
      await post('list', da, { query: { only: ['plugin_info'] } });
      await post('stat', da, { query: { distinct: 'plugin_info' } });
      await post('stat', da, { query: { aggregate: [{ group: { keys: [{ key: 'plugin_info', name: 'p' }] } }] } });
      assert.ok(responses.length > 20);
      for (const answer of responses) assert.ok(!answer.text.includes(SECRET_VALUE), answer.text);
      assert.ok(logLines.length > 0);
      assert.ok(!logLines.join('').includes(SECRET_VALUE));
    });
  });
}
