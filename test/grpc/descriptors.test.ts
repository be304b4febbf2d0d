import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { DESCRIPTOR_SET_PATH, parseDescriptorSet } from '../../src/wire/descriptors.js';
import { packageRoot } from '../../src/config/package-root.js';

const root = packageRoot();
const committed = readFileSync(join(root, DESCRIPTOR_SET_PATH));

function protoFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? protoFiles(path) : path.endsWith('.proto') ? [relative(join(root, 'proto'), path)] : [];
  });
}

test('the committed descriptor set holds every .proto file of proto/ and the well-known types they import', () => {
  const descriptors = parseDescriptorSet(committed);
  for (const file of protoFiles(join(root, 'proto')))
    assert.ok(descriptors.fileBytes.has(file), `${file} is missing: run scripts/gen-descriptors.sh`);
  for (const file of ['google/protobuf/struct.proto', 'google/protobuf/empty.proto']) assert.ok(descriptors.fileBytes.has(file));
  for (const [file, dependencies] of descriptors.dependencies) {
    for (const dependency of dependencies)
      assert.ok(descriptors.fileBytes.has(dependency), `${file} imports ${dependency}, which is missing`);
  }
});

const protoc = spawnSync('protoc', ['--version'], { encoding: 'utf8' });
test(`the committed descriptor set is what scripts/gen-descriptors.sh makes now (${protoc.status === 0 ? protoc.stdout.trim() : 'protoc not installed: checked by the test above only'})`, () => {
  if (protoc.status !== 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'costsync-descriptors-'));
  try {
    const out = join(dir, 'descriptors.binpb');
    const run = spawnSync(join(root, 'scripts/gen-descriptors.sh'), [out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(out));
    assert.ok(readFileSync(out).equals(committed), `${DESCRIPTOR_SET_PATH} is stale: run scripts/gen-descriptors.sh and commit the result`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
