import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isPublicAddress, makeAccessPolicy } from '../../src/plugins/access/policy.js';
import { makeHttpFilePlugin } from '../../src/plugins/http-file/plugin.js';
import type { CostInfo, PluginError } from '../../src/plugins/plugin.js';
import { makePluginRegistry } from '../../src/plugins/registry.js';

/**
 * Plugins reach only what the operator allows: no local file and no private, loopback or
 * link-local address unless allow-listed; public addresses always. Checked for files (by real
 * path), URLs (every resolved address, every redirect), gRPC plugin URLs a data source names,
 * and the synthetic plugin's fault switches.
 */
const denied = (pattern: RegExp) => (error: PluginError) => error.code === 'ERROR_PERMISSION_DENIED' && pattern.test(error.message);

async function read(plugin: ReturnType<typeof makeHttpFilePlugin>, url: string): Promise<CostInfo[]> {
  const rows: CostInfo[] = [];
  const request = { options: {}, secret_data: {}, task_options: { base_url: url }, domain_id: 'd' };
  for await (const page of plugin.getData(request, new AbortController().signal)) rows.push(...page);
  return rows;
}

describe('what plugins may reach', () => {
  let dir: string;
  let inside: string;
  let outside: string;
  let server: Server;
  let other: Server;
  let port: number;
  let otherPort: number;
  const csv = 'cost,currency,year,month,day\n3,USD,2025,1,2\n';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'costsync-access-'));
    inside = join(dir, 'allowed');
    outside = join(dir, 'secret.csv');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(inside);
    writeFileSync(join(inside, 'bill.csv'), csv);
    writeFileSync(outside, csv);
    symlinkSync(outside, join(inside, 'link.csv'));
    other = createServer((_, response) => response.end(csv));
    server = createServer((request, response) => {
      if (request.url === '/redirect') response.writeHead(302, { location: `http://127.0.0.1:${otherPort}/bill.csv` }).end();
      else response.end(csv);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    otherPort = (other.address() as AddressInfo).port;
  });
  after(() => {
    server.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells public addresses from the others', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '2001:4860:4860::8888']) assert.equal(isPublicAddress(address), true, address);
    for (const address of [
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '127.0.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  it('reads no local file by default, and only files under an allowed root (by their real path)', async () => {
    const none = makeHttpFilePlugin(makeAccessPolicy());
    await assert.rejects(
      read(none, pathToFileURL(join(inside, 'bill.csv')).href),
      denied(/reading local files is off; .*COSTSYNC_ALLOW_FILE_ROOTS/),
    );
    const rooted = makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [inside], hosts: [] }));
    assert.equal((await read(rooted, pathToFileURL(join(inside, 'bill.csv')).href)).length, 1);
    await assert.rejects(read(rooted, pathToFileURL(outside).href), denied(/outside the directories plugins may read/));
    await assert.rejects(read(rooted, pathToFileURL(join(inside, 'link.csv')).href), denied(/outside/), 'a symlink out of the root');
    await assert.rejects(read(rooted, pathToFileURL(join(inside, '..', 'secret.csv')).href), denied(/outside/));
  });

  it('reaches no loopback or private address by default; by host name, host:port or range when allowed', async () => {
    const url = `http://127.0.0.1:${port}/bill.csv`;
    await assert.rejects(
      read(makeHttpFilePlugin(makeAccessPolicy()), url),
      denied(/127\.0\.0\.1:\d+ is not a public address; .*COSTSYNC_ALLOW_HOSTS/),
    );
    await assert.rejects(
      read(makeHttpFilePlugin(makeAccessPolicy()), `http://localhost:${port}/bill.csv`),
      denied(/^localhost:\d+ is not a public address/),
    );
    for (const hosts of [['127.0.0.1'], [`127.0.0.1:${port}`], ['127.0.0.0/8'], ['localhost']]) {
      const target = hosts[0] === 'localhost' ? `http://localhost:${port}/bill.csv` : url;
      assert.equal((await read(makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [], hosts })), target)).length, 1, hosts[0]);
    }
    await assert.rejects(
      read(makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [], hosts: [`127.0.0.1:${port}`] })), `http://127.0.0.1:${otherPort}/bill.csv`),
      denied(/is not a public address/),
      'host:port allows that port only',
    );
  });

  it('checks every redirect: one to a port that is not allowed is refused', async () => {
    const one = makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [], hosts: [`127.0.0.1:${port}`] }));
    await assert.rejects(
      read(one, `http://127.0.0.1:${port}/redirect`),
      denied(new RegExp(`127\\.0\\.0\\.1:${otherPort} is not a public address`)),
    );
    const both = makeHttpFilePlugin(makeAccessPolicy({ fileRoots: [], hosts: ['127.0.0.1'] }));
    assert.equal((await read(both, `http://127.0.0.1:${port}/redirect`)).length, 1);
  });

  it('a gRPC plugin URL a data source names is checked before any connection, without naming what it resolves to', async () => {
    const plugins = makePluginRegistry();
    for (const pluginId of ['grpc://10.0.0.5:6379', 'grpc://localhost:6379']) {
      const started = Date.now();
      await assert.rejects(plugins.resolve(pluginId).verify({ options: {}, secret_data: {}, domain_id: 'd' }), (error: PluginError) => {
        assert.equal(error.code, 'ERROR_PERMISSION_DENIED');
        assert.doesNotMatch(error.message, pluginId.includes('localhost') ? /127\.0\.0\.1|::1/ : /resolves/);
        return true;
      });
      assert.ok(Date.now() - started < 2000, 'refused at once, not after a connection timeout');
    }
    const configured = makePluginRegistry({}, { endpoints: { internal: 'grpc://127.0.0.1:1' }, grpc: { unaryRetries: 0 } });
    await assert.rejects(
      configured.resolve('internal').verify({ options: {}, secret_data: {}, domain_id: 'd' }),
      (error: PluginError) => error.code !== 'ERROR_PERMISSION_DENIED',
      'an endpoint the operator configured is trusted',
    );
  });

  it('the synthetic plugin’s fault switches are off unless the operator turns them on', async () => {
    const off = makePluginRegistry().resolve('synthetic');
    await assert.rejects(
      off.verify({ options: { hang_task: 0 }, secret_data: {}, domain_id: 'd' }),
      /hang_task.*fault switches are off; .*COSTSYNC_SYNTHETIC_FAULTS=1/,
    );
    await off.verify({ options: { accounts: 1 }, secret_data: {}, domain_id: 'd' });
    const on = makePluginRegistry({}, { syntheticFaults: true }).resolve('synthetic');
    await on.verify({ options: { hang_task: 0 }, secret_data: {}, domain_id: 'd' });
  });
});
