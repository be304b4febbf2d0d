import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { JOB_CATALOGUE } from '../../src/query/catalogues.js';
import { parseStatQuery } from '../../src/query/parse-stat.js';
import { BACKENDS, openTestStore, type TestStore } from '../helpers/backends.js';
import { filterCondition, jobDocs } from './arbitraries.js';
import { evaluateStat } from './evaluate.js';
import { documentProjection, pipeline } from './pipelines.js';
import { replaceJobs, sameAnswer, stat } from './store.js';

/**
 * Job.stat compiled to SQL and run on each backend answers as the in-memory evaluator over
 * the same generated jobs: aggregate pipelines of every stage and group operator, distinct,
 * page and total_count.
 */
const RUNS = Number(process.env.QUERY_PROPERTY_RUNS ?? 300);

for (const backend of BACKENDS) {
  describe(`stat matches the in-memory evaluator (${backend})`, () => {
    let store: TestStore;
    before(async () => {
      store = await openTestStore(backend);
    });
    after(() => store.release());

    const check = async (docs: Parameters<typeof replaceJobs>[1], raw: unknown) => {
      await replaceJobs(store.db, docs);
      const query = parseStatQuery(raw);
      const expected = evaluateStat(JOB_CATALOGUE, docs, query);
      const actual = await stat(store.db, query);
      assert.ok(
        sameAnswer(actual, expected),
        `query ${JSON.stringify(raw)}\nactual   ${JSON.stringify(actual)}\nexpected ${JSON.stringify(expected)}`,
      );
    };

    it('for aggregate pipelines', async () => {
      await fc.assert(
        fc.asyncProperty(jobDocs(), pipeline, fc.array(filterCondition, { maxLength: 2 }), (docs, query, filter) =>
          check(docs, { ...query, filter }),
        ),
        { numRuns: RUNS },
      );
    });

    it('for document-level projections', async () => {
      await fc.assert(
        fc.asyncProperty(jobDocs(), documentProjection, (docs, p) =>
          check(docs, { aggregate: [...(p.sort ? [{ sort: [{ key: p.sort }] }] : []), ...p.window, { project: { fields: p.fields } }] }),
        ),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    });
  });
}
