import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { issueToken, verifyToken } from '../../src/auth/tokens.js';
import { BACKENDS } from '../helpers/backends.js';
import { errorOf, openTestApp, type TestApp } from './harness.js';
import { DOMAIN_A, seedWorld, type World } from './world.js';

const sign = (key: Uint8Array, claims: Record<string, unknown>, expiresIn = '1h') =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(expiresIn).sign(key);

for (const backend of BACKENDS) {
  describe(`authentication (${backend})`, () => {
    let t: TestApp;
    let world: World;
    before(async () => {
      t = await openTestApp(backend);
      world = await seedWorld(t);
    });
    after(() => t.close());

    const jobGet = (token?: string) => t.call('POST', '/cost-analysis/v1/job/get', { token, body: { job_id: world.ws1Source.doneJobId } });

    it('accepts a valid token', async () => {
      assert.equal((await jobGet(world.tokens.da)).status, 200);
    });

    it('answers 401 ERROR_AUTHENTICATE_FAILURE without a token', async () => {
      const answer = await jobGet();
      assert.equal(answer.status, 401);
      assert.equal(errorOf(answer).code, 'ERROR_AUTHENTICATE_FAILURE');
      const basic = await t.app.inject({
        method: 'POST',
        url: '/cost-analysis/v1/job/get',
        headers: { authorization: 'Basic abc' },
        payload: {},
      });
      assert.equal(basic.statusCode, 401);
    });

    it('answers 401 for a token signed with another key', async () => {
      const forged = await sign(new TextEncoder().encode('not-the-server-key-not-the-server-key'), {
        did: DOMAIN_A,
        rol: 'DOMAIN_ADMIN',
        ver: '2.0',
      });
      const answer = await jobGet(forged);
      assert.equal(answer.status, 401);
      assert.match(errorOf(answer).message, /signature/);
    });

    it('answers 401 for an expired token', async () => {
      const expired = await t.token({ domainId: DOMAIN_A, role: 'DOMAIN_ADMIN', ttlSeconds: -10 });
      const answer = await jobGet(expired);
      assert.equal(answer.status, 401);
      assert.match(errorOf(answer).message, /expired/);
    });

    it('answers 401 for garbage, a missing domain, an unknown role, a workspace role without wid and a wrong version', async () => {
      const key = t.ctx.tokenKey;
      const bad = [
        'not.a.jwt',
        await sign(key, { rol: 'DOMAIN_ADMIN', ver: '2.0' }),
        await sign(key, { did: DOMAIN_A, rol: 'SUPER_USER', ver: '2.0' }),
        await sign(key, { did: DOMAIN_A, rol: 'WORKSPACE_OWNER', ver: '2.0' }),
        await sign(key, { did: DOMAIN_A, rol: 'DOMAIN_ADMIN', ver: '1.0' }),
      ];
      for (const token of bad) {
        const answer = await jobGet(token);
        assert.equal(answer.status, 401, token);
        assert.equal(errorOf(answer).code, 'ERROR_AUTHENTICATE_FAILURE');
      }
    });

    it('protects every API path form, and leaves health checks open', async () => {
      for (const [method, url] of [
        ['POST', '/cost-analysis/job/list'],
        ['POST', '/cost-analysis/v1/data-source/list'],
        ['GET', '/cost-analysis/v1/job-tasks'],
        ['GET', `/cost-analysis/v1/job-task/${world.ws1Source.doneTaskId}`],
        ['POST', '/cost-analysis/v1/job-tasks/search'],
        ['POST', '/cost-analysis/v1/job-tasks/stat'],
        ['POST', '/cost-analysis/cost/list'],
      ] as const) {
        assert.equal((await t.call(method, url)).status, 401, `${method} ${url}`);
      }
      assert.deepEqual((await t.call('GET', '/healthz')).body, { status: 'ok' });
      assert.deepEqual((await t.call('GET', '/readyz')).body, { status: 'ready' });
    });
  });
}

describe('tokens', () => {
  const key = new TextEncoder().encode('0123456789abcdef0123456789abcdef');

  it('round-trips the upstream claims', async () => {
    const token = await issueToken(key, { domainId: 'domain-1', role: 'WORKSPACE_MEMBER', workspaceId: 'ws-9' });
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    assert.equal(claims.did, 'domain-1');
    assert.equal(claims.wid, 'ws-9');
    assert.equal(claims.rol, 'WORKSPACE_MEMBER');
    assert.equal(claims.ver, '2.0');
    assert.ok(claims.exp > claims.iat);
    assert.deepEqual(await verifyToken(key, token), { domainId: 'domain-1', role: 'WORKSPACE_MEMBER', workspaceId: 'ws-9' });
  });

  it('drops a workspace from a DOMAIN_ADMIN token', async () => {
    const token = await sign(key, { did: 'domain-1', rol: 'DOMAIN_ADMIN', wid: 'ws-1', ver: '2.0' });
    assert.deepEqual(await verifyToken(key, token), { domainId: 'domain-1', role: 'DOMAIN_ADMIN' });
  });
});
