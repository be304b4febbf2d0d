import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { JOB_CATALOGUE } from '../../src/query/catalogues.js';
import { parseListQuery } from '../../src/query/parse-query.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { jobDocs, listQuery } from './arbitraries.js';
import { evaluateList } from './evaluate.js';
import { listIds, replaceJobs } from './store.js';

/**
 * Job.list compiled to SQL and run on each backend answers exactly as the in-memory
 * evaluator (evaluate.ts) over the same generated jobs: every operator, filter_or, keyword,
 * sort with its tiebreaker, page and total_count.
 */
for (const backend of BACKENDS) {
  describe(`list matches the in-memory evaluator (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(() => store.release());

    it('for generated jobs and queries', async () => {
      await fc.assert(
        fc.asyncProperty(jobDocs(), listQuery, async (docs, raw) => {
          await replaceJobs(store.db, docs);
          const query = parseListQuery(raw);
          const expected = evaluateList(JOB_CATALOGUE, docs, query);
          const actual = await listIds(store.db, query);
          assert.deepEqual(actual, expected);
        }),
        { numRuns: Number(process.env.QUERY_PROPERTY_RUNS ?? 300) },
      );
    });
  });
}
