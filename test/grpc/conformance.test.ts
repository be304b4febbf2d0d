import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DESCRIPTOR_SET_PATH } from '../../src/wire/descriptors.js';
import { packageRoot } from '../../src/config/package-root.js';
import { compareWithUpstream, loadUpstreamWire, ourWire } from './conformance.js';

/**
 * Every service, method, message, field (name, number, type, label, oneof) and enum value that
 * upstream defines in the files of ../shared/spec/upstream-wire.json agrees with our descriptor
 * set; what we add is listed in proto/ADDITIONS.md and nothing else is extra.
 */
const upstream = loadUpstreamWire();
const ours = ourWire(readFileSync(join(packageRoot(), DESCRIPTOR_SET_PATH)));

describe('the wire is upstream’s', () => {
  it('every upstream file, service, method, message, field and enum value agrees', () => {
    const { differences } = compareWithUpstream(upstream, ours);
    assert.deepEqual(differences, []);
  });

  it('everything we add is in proto/ADDITIONS.md, and everything listed there exists', () => {
    const { additions } = compareWithUpstream(upstream, ours);
    const listed = listedAdditions();
    assert.deepEqual(
      additions.filter((symbol) => !listed.has(symbol)),
      [],
      'additions missing from proto/ADDITIONS.md',
    );
    assert.deepEqual(
      [...listed].filter((symbol) => !additions.includes(symbol)),
      [],
      'proto/ADDITIONS.md lists what is not an addition',
    );
  });

  it('fails when one field number is changed', () => {
    const [file] = Object.keys(upstream.files);
    const tampered = structuredClone(ours);
    const [message] = Object.keys(tampered.files[file].messages);
    tampered.files[file].messages[message][0].number += 100;
    assert.notDeepEqual(compareWithUpstream(upstream, tampered).differences, []);
  });
});

/** The symbols in the first column of proto/ADDITIONS.md's tables (`` `a.b.C.field` ``). */
function listedAdditions(): Set<string> {
  const text = readFileSync(join(packageRoot(), 'proto/ADDITIONS.md'), 'utf8');
  return new Set([...text.matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]));
}
