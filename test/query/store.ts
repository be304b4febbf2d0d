import type { Principal } from '../../src/auth/principal.js';
import { runList, runStat } from '../../src/api/services/reading.js';
import { jobInfo, jobMinimal, type Wire } from '../../src/api/views.js';
import { JOB_CATALOGUE } from '../../src/query/catalogues.js';
import type { ListQuery } from '../../src/query/parse-query.js';
import type { StatQuery } from '../../src/query/parse-stat.js';
import type { JobRow } from '../../src/store/rows.js';
import type { Database } from '../../src/store/database.js';
import type { JobDoc } from './arbitraries.js';

/** Jobs as rows of the real table, read back through the service read path (reading.ts). */
export const DOMAIN = 'domain-query-test';
const principal: Principal = { domainId: DOMAIN, role: 'DOMAIN_ADMIN' };

/**
 * Replaces all jobs. Generated jobs may have several running jobs per data source, which the
 * engine's one-running-job index forbids; the test database drops that index (it is not a
 * query concern).
 */
export async function replaceJobs(db: Database, docs: readonly JobDoc[]): Promise<void> {
  await db.query('DROP INDEX IF EXISTS job_one_running_per_data_source');
  await db.query('DELETE FROM job');
  if (docs.length === 0) return;
  const rows = docs.map((doc) => ({
    ...doc,
    planned: true,
    deadline_at: '2030-01-01T00:00:00Z',
    resource_group: 'DOMAIN',
    workspace_id: '*',
    domain_id: DOMAIN,
    updated_at: doc.created_at,
  }));
  await db.query('INSERT INTO job SELECT * FROM jsonb_populate_recordset(NULL::job, $1::jsonb)', [JSON.stringify(rows)]);
}

export async function listIds(db: Database, query: ListQuery): Promise<{ ids: string[]; total: number }> {
  const answer = await runList<JobRow>(db, JOB_CATALOGUE, { principal, query, conditions: [], view: jobInfo, minimalView: jobMinimal });
  return { ids: (answer.results as Wire[]).map((r) => r.job_id as string), total: answer.total_count as number };
}

export async function stat(db: Database, query: StatQuery): Promise<{ results: unknown[]; total?: number }> {
  const answer = await runStat(db, JOB_CATALOGUE, { principal, query });
  return answer.total_count === undefined
    ? { results: answer.results as unknown[] }
    : { results: answer.results as unknown[], total: answer.total_count as number };
}

/** Deep equality that accepts float rounding differences (averages). */
export function sameAnswer(actual: unknown, expected: unknown): boolean {
  if (typeof actual === 'number' && typeof expected === 'number') {
    return Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
  }
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((a, i) => sameAnswer(a, expected[i]));
  }
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object') {
    const ka = Object.keys(actual).sort();
    const ke = Object.keys(expected).sort();
    return ka.join('\u0000') === ke.join('\u0000') && ka.every((k) => sameAnswer((actual as any)[k], (expected as any)[k]));
  }
  return actual === expected;
}
