import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOrCreateKey } from '../../src/secrets/key-file.js';
import { makeSecretBox } from '../../src/secrets/secret-box.js';

describe('secrets at rest', () => {
  it('seals with AES-256-GCM: the stored form hides the value, and tampering is detected', () => {
    const box = makeSecretBox(randomBytes(32));
    const sealed = box.seal({ api_key: 'sk-live-123' });
    assert.ok(!sealed.includes('sk-live-123'));
    assert.deepEqual(box.open(sealed), { api_key: 'sk-live-123' });
    assert.notEqual(box.seal({ api_key: 'sk-live-123' }), sealed, 'a fresh IV every time');
    const parts = sealed.split('.');
    parts[3] = Buffer.from('x' + Buffer.from(parts[3], 'base64url').toString('latin1'), 'latin1').toString('base64url');
    assert.throws(() => box.open(parts.join('.')));
    assert.throws(() => makeSecretBox(randomBytes(32)).open(sealed), 'another key cannot open it');
  });

  it('creates a key file once, readable by its owner only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'costsync-key-'));
    try {
      const first = readOrCreateKey(dir, 'secret.key');
      assert.equal(first.length, 32);
      assert.equal(statSync(join(dir, 'secret.key')).mode & 0o777, 0o600);
      assert.deepEqual(readOrCreateKey(dir, 'secret.key'), first);
      assert.match(readFileSync(join(dir, 'secret.key'), 'utf8'), /^[0-9a-f]{64}\n$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
