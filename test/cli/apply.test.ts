import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../web/server.js';
import { runCli } from './run-cli.js';

/**
 * Data sources declared in a file: `costsync apply -f` prints its plan and carries it out —
 * create, then nothing on a second run, then an edit and a removal — and never touches a data
 * source it did not create; `costsync data-source register|update -f` work on one. What the
 * server holds afterwards is read back through the API.
 */
interface Source {
  data_source_id: string;
  name: string;
  plugin_info: { plugin_id: string; options: Record<string, unknown> };
  schedule: { state: string; hour: number };
  retention_months?: number;
  tags: Record<string, unknown>;
}

const alpha = (rows: number, hour: number) => `
  - name: alpha
    plugin: synthetic
    options: { accounts: 1, months: 1, rows_per_day: ${rows}, seed: 7 }
    secret:
      token: { env: ALPHA_TOKEN }
      password: { file: ./alpha-password }
    schedule: { hour: ${hour} }
    retention_months: 24`;
const beta = `
  - name: beta
    plugin: synthetic
    options: { accounts: 2, months: 1, rows_per_day: 3 }
    schedule: off`;

describe('costsync apply and data-source register|update', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    server = await startTestServer();
    env = { COSTSYNC_URL: server.url, COSTSYNC_TOKEN: await server.token(), ALPHA_TOKEN: 'first-secret' };
    dir = mkdtempSync(join(tmpdir(), 'costsync-apply-'));
    writeFileSync(join(dir, 'alpha-password'), 'hunter2\n');
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sources = async (): Promise<Map<string, Source>> => {
    const answer = await fetch(`${server.url}/cost-analysis/v1/data-source/list`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${env.COSTSYNC_TOKEN}` },
      body: '{}',
    });
    const { results } = (await answer.json()) as { results: Source[] };
    return new Map(results.map((source) => [source.name, source]));
  };
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const apply = (file: string, ...flags: string[]) => runCli(['apply', '-f', file, ...flags], env);

  it('creates what the file declares, changes nothing the second time, then applies an edit and a removal', async () => {
    const file = write('sources.yaml', `data_sources:${alpha(5, 3)}${beta}\n`);
    const dry = await apply(file, '--dry-run');
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(
      dry.stdout,
      '+ alpha (plugin synthetic)\n+ beta (plugin synthetic)\nplan: 2 to create, 0 to change, 0 to delete, 0 unchanged\ndry run: nothing was changed\n',
    );
    assert.deepEqual([...(await sources()).keys()], ['demo']);

    const first = await apply(file);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^\+ alpha .*\n\+ beta .*\nplan: 2 to create.*\ncreated alpha \(ds-[0-9a-f]{12}\)\ncreated beta \(ds-[0-9a-f]{12}\)\napplied 2 changes\n$/,
    );
    let now = await sources();
    const a = now.get('alpha')!;
    assert.deepEqual(a.plugin_info.options, { accounts: 1, months: 1, rows_per_day: 5, seed: 7 });
    assert.deepEqual([a.schedule, a.retention_months, a.tags['costsync.apply']], [{ state: 'ENABLED', hour: 3 }, 24, 'managed']);
    assert.equal(now.get('beta')!.schedule.state, 'DISABLED');
    assert.ok(!JSON.stringify(a).includes('hunter2') && !JSON.stringify(a).includes('first-secret'), 'no secret is shown');

    const second = await apply(file);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(
      second.stdout,
      `= alpha (${a.data_source_id})\n= beta (${now.get('beta')!.data_source_id})\nplan: 0 to create, 0 to change, 0 to delete, 2 unchanged\nnothing to do\n`,
    );

    write('sources.yaml', `data_sources:${alpha(9, 5)}\n`);
    const edit = await runCli(['apply', '-f', file], { ...env, ALPHA_TOKEN: 'second-secret' });
    assert.equal(edit.code, 0, edit.stderr);
    const betaId = now.get('beta')!.data_source_id;
    assert.equal(
      edit.stdout,
      [
        `~ alpha (${a.data_source_id}): options.rows_per_day; schedule daily 03:00 UTC → daily 05:00 UTC; secret`,
        `- beta (${betaId}): no longer declared`,
        'plan: 0 to create, 1 to change, 1 to delete, 0 unchanged',
        `changed alpha (${a.data_source_id})`,
        `deleted beta (${betaId})`,
        'applied 2 changes',
        '',
      ].join('\n'),
    );
    now = await sources();
    assert.deepEqual([...now.keys()].sort(), ['alpha', 'demo'], 'the demo data source, not made by apply, is kept');
    assert.equal(now.get('alpha')!.plugin_info.options.rows_per_day, 9);
    assert.equal(now.get('alpha')!.schedule.hour, 5);
    const again = await runCli(['apply', '-f', file], { ...env, ALPHA_TOKEN: 'second-secret' });
    assert.match(again.stdout, /plan: 0 to create, 0 to change, 0 to delete, 1 unchanged\nnothing to do\n$/);
  });

  it('data-source register and update from a file; a data source registered so is not apply’s to delete', async () => {
    const one = write('gamma.yaml', 'name: gamma\nplugin: synthetic\noptions: { accounts: 1, months: 1, rows_per_day: 2 }\n');
    const registered = await runCli(['data-source', 'register', '-f', one], env);
    assert.equal(registered.code, 0, registered.stderr);
    const id = /^registered gamma \((ds-[0-9a-f]{12})\)\n$/.exec(registered.stdout)?.[1];
    assert.ok(id, registered.stdout);
    write('gamma.yaml', 'name: gamma-2\nplugin: synthetic\noptions: { accounts: 1, months: 1, rows_per_day: 4 }\nschedule: { hour: 7 }\n');
    const updated = await runCli(['data-source', 'update', id, '-f', one], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(
      updated.stdout,
      `changed gamma-2 (${id}): name gamma → gamma-2; options.rows_per_day; schedule daily 16:00 UTC → daily 07:00 UTC\n`,
    );
    const gamma = (await sources()).get('gamma-2')!;
    assert.deepEqual([gamma.data_source_id, gamma.plugin_info.options.rows_per_day, gamma.schedule.hour], [id, 4, 7]);
    const unchanged = await runCli(['data-source', 'update', id, '-f', one], env);
    assert.equal(unchanged.stdout, `gamma-2 (${id}): nothing to change\n`);
    const applied = await apply(write('empty.yaml', 'data_sources: []\n'), '--dry-run');
    assert.doesNotMatch(applied.stdout, /gamma/);
    const verify = await runCli(['data-source', 'verify', id], env);
    assert.equal(verify.code, 0, verify.stderr);
    const gone = await runCli(['data-source', 'deregister', id], env);
    assert.equal(gone.stdout, `deregistered gamma-2 (${id})\n`);
    assert.equal((await sources()).has('gamma-2'), false);
  });

  it('data-source register and update by flags; the secret comes from the environment, never the command line', async () => {
    const flags = [
      '--name',
      'delta',
      '--plugin',
      'synthetic',
      '--options',
      '{"accounts": 1, "months": 1, "rows_per_day": 3}',
      '--schedule',
      '4',
    ];
    const registered = await runCli(['data-source', 'register', ...flags, '--secret-env', 'DELTA_SECRET'], {
      ...env,
      DELTA_SECRET: '{"token": "from-the-environment"}',
    });
    assert.equal(registered.code, 0, registered.stderr);
    const id = /^registered delta \((ds-[0-9a-f]{12})\)\n$/.exec(registered.stdout)?.[1];
    assert.ok(id, registered.stdout);
    const [row] = await server.ctx.db.query<{ schedule_hour: number; secret: boolean }>(
      'SELECT schedule_hour, secret_data_encrypted IS NOT NULL AS secret FROM data_source WHERE data_source_id = $1',
      [id],
    );
    assert.deepEqual([row.schedule_hour, row.secret], [4, true]);
    const updated = await runCli(['data-source', 'update', id, '--schedule', 'off', '--retention-months', '6'], env);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(updated.stdout, `changed delta (${id}): schedule daily 04:00 UTC → off; retention_months default → 6\n`);
    const both = await runCli(
      ['data-source', 'update', id, '-f', write('delta.yaml', 'name: delta\nplugin: synthetic\n'), '--schedule', '3'],
      env,
    );
    assert.equal(both.code, 1);
    assert.match(both.stderr, /give -f or flags/);
    const badJson = await runCli(['data-source', 'register', '--name', 'x', '--plugin', 'synthetic', '--options', '{nope'], env);
    assert.match(badJson.stderr, /^costsync: --options: not JSON/);
    const badHour = await runCli(['data-source', 'register', '--name', 'x', '--plugin', 'synthetic', '--schedule', '25'], env);
    assert.match(badHour.stderr, /^costsync: --schedule: "off", or \{ hour: H \}/);
    assert.equal((await sources()).has('x'), false);
  });

  it('a file mistake names the entry and the key, and nothing is sent', async () => {
    const cases: [string, RegExp][] = [
      [`data_sources:${alpha(5, 3)}\n`, /data_sources\[0\]\.secret\.token: environment variable ALPHA_TOKEN is not set/],
      [
        'data_sources:\n  - name: x\n    plugin: synthetic\n    schedule: { hour: 25 }\n',
        /data_sources\[0\]\.schedule: "off", or \{ hour: H \} with H from 0 to 23/,
      ],
      ['data_sources:\n  - name: x\n    plugin: synthetic\n    colour: red\n', /data_sources\[0\]\.colour: unknown key/],
      ['data_sources:\n  - name: x\n    plugin: synthetic\n  - name: x\n    plugin: synthetic\n', /the name "x" is declared twice/],
      ['data_sources: [unclosed\n', /not YAML or JSON/],
    ];
    const before = (await sources()).size;
    for (const [text, message] of cases) {
      const { ALPHA_TOKEN: _unset, ...without } = env;
      const result = await runCli(['apply', '-f', write('bad.yaml', text)], { ...without, COSTSYNC_URL: 'http://127.0.0.1:9' });
      assert.equal(result.code, 1, text);
      assert.match(result.stderr, message);
    }
    assert.equal((await sources()).size, before);
  });
});
