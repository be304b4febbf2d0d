import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CostsyncError, ERROR_CODES, toCostsyncError } from '../../src/domain/errors.js';

describe('the error catalogue', () => {
  const docs = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

  it('documents every code with its HTTP and gRPC status', () => {
    for (const [code, kind] of Object.entries(ERROR_CODES)) {
      const row = docs.split('\n').find((line) => line.startsWith(`| ${code} |`));
      assert.ok(row, `${code} is missing from docs/api.md`);
      assert.match(row, new RegExp(`\\| ${kind.http} \\| ${kind.grpc} \\|`), `${code}: docs disagree with the catalogue`);
    }
  });

  it('renders the upstream REST error body', () => {
    const error = new CostsyncError('ERROR_JOB_STATE', 'Only running jobs can be canceled. (job_state = SUCCESS)');
    assert.equal(error.httpStatus, 400);
    assert.deepEqual(error.toBody(), {
      detail: { code: 'ERROR_JOB_STATE', message: 'Only running jobs can be canceled. (job_state = SUCCESS)' },
    });
  });

  it('turns anything thrown into ERROR_UNKNOWN', () => {
    const error = toCostsyncError(new TypeError('boom'));
    assert.equal(error.code, 'ERROR_UNKNOWN');
    assert.equal(error.httpStatus, 500);
  });
});
