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

  it('turns anything unexpected into ERROR_UNKNOWN that reveals nothing of the server', () => {
    const error = toCostsyncError(new TypeError('boom at /srv/costsync/secret.ts'), 'req-7');
    assert.equal(error.code, 'ERROR_UNKNOWN');
    assert.equal(error.httpStatus, 500);
    assert.equal(error.message, 'Internal error. (request_id = req-7)');
  });

  it('turns a failing or busy database into 503s with codes, never ERROR_UNKNOWN', () => {
    const failure = (code: string) => Object.assign(new Error(`driver text for ${code}`), { code });
    for (const code of ['08006', '57P01', '53300', '40001', '55P03', '25P03', 'ECONNREFUSED']) {
      const error = toCostsyncError(failure(code));
      assert.deepEqual([error.code, error.httpStatus, error.grpcStatus], ['ERROR_UNAVAILABLE', 503, 'UNAVAILABLE'], code);
      assert.doesNotMatch(error.message, /driver text/);
    }
    const slow = toCostsyncError(failure('57014'));
    assert.deepEqual([slow.code, slow.httpStatus, slow.grpcStatus], ['ERROR_QUERY_TIMEOUT', 503, 'DEADLINE_EXCEEDED']);
    assert.equal(toCostsyncError(failure('22007')).code, 'ERROR_UNKNOWN', 'a data exception is not the database failing');
  });
});
