import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Retention } from '../../src/engine/close-job.js';
import { endJob } from '../../src/engine/end-job.js';
import type { Lease } from '../../src/engine/lease.js';
import { endTaskAndJob, succeedTask } from '../../src/engine/task-outcome.js';
import type { Database } from '../../src/store/database.js';
import type { ChangedWindow } from '../../src/store/rows.js';

/**
 * Generated sync histories for the rollup property test (rollup-property.test.ts), applied
 * with the engine's own task and job outcomes, and the rollup's invariant as SQL. Values come
 * from small pools so that rollup groups collide, windows hit and filters match.
 */
export const DOMAIN = 'domain-rollup-test';
export const SOURCES = ['ds-a', 'ds-b'] as const;
export const MONTHS = ['2024-12', '2025-01', '2025-02', '2025-03', '2025-04'];
/** Retention counts back from here: 2 months keep 2025-03 on. */
const TODAY = new Date('2025-05-15T00:00:00Z');

export const POOLS = {
  provider: ['aws', 'azure', null],
  product: ['AmazonEC2', 'AmazonS3', 'Virtual Machines', null],
  region_code: ['us-east-1', 'eu-west-1', null],
  usage_type: ['BoxUsage', 'Storage', null],
  usage_unit: ['Hrs', 'GB-Mo', null],
  account_id: ['111111111111', '222222222222', 'sub-3', null],
  workspace_id: [null, 'ws-1', 'ws-2'],
  service_account_id: [null, null, 'sa-1'],
  project_id: [null, null, 'pj-1'],
  resource: ['i-1', 'i-2', 'vol-1', 'bucket', null],
  tags: [{}, { env: 'prod' }, { env: 'dev', team: 'web' }, { team: 'web' }, { env: 'prod', team: 'data' }],
  additional_info: [{}, { x: '1' }, { x: '2', y: 'z' }],
} as const;

/** Doubles whose floating-point sums depend on the order (and a few exact ones); credits are negative. */
const AMOUNTS = [0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-7, 12345.6789, -0.1, -4.75, 0, 7, 1e15 + 0.125, 0.30000000000000004, 99999999.99];

export interface TaskSpec {
  /** Index into MONTHS. */
  month: number;
  rows: CostSpec[];
  changed?: ChangedWindow;
}

export interface JobSpec {
  tasks: TaskSpec[];
  changed: ChangedWindow[];
  ending: 'SUCCESS' | 'FAILURE' | 'CANCELED';
  /** How many tasks succeed before a job that is not published ends (mod the task count). */
  finishedFirst: number;
  /** A cancelled job: a batch of the running task's rows commits after the cancel. */
  lateBatch: boolean;
}

export interface SourceSpec {
  /** data_source.retention_months (null: the server's default). */
  retentionMonths: number | null;
  jobs: JobSpec[];
}

export interface History {
  profiles: Profile[];
  sources: SourceSpec[];
  /** COSTSYNC_RETENTION_MONTHS: 0 keeps everything. */
  defaultMonths: number;
  /** Which data source takes the next step while both have steps left (false: the first). */
  interleave: boolean[];
}

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

/** The dimensions a rollup row is grouped by: a history's rows share a few such profiles, so their sums collide. */
const profile = fc
  .record({
    provider: pick(POOLS.provider),
    product: pick(POOLS.product),
    region_code: pick(POOLS.region_code),
    usage_type: pick(POOLS.usage_type),
    usage_unit: pick(POOLS.usage_unit),
    account_id: pick(POOLS.account_id),
    workspace_id: pick(POOLS.workspace_id),
    service_account_id: pick(POOLS.service_account_id),
    project_id: pick(POOLS.project_id),
    tags: pick(POOLS.tags),
  })
  .map((p) => ({ ...p, region_key: p.provider && p.region_code ? `${p.provider}.${p.region_code}` : null }));

export type Profile = typeof profile extends fc.Arbitrary<infer P> ? P : never;

const costRow = fc.record({
  /** Index into the history's profiles (mod their count). */
  profile: fc.nat({ max: 3 }),
  resource: pick(POOLS.resource),
  additional_info: pick(POOLS.additional_info),
  cost: pick(AMOUNTS),
  usage_quantity: pick(AMOUNTS),
  /** Months after the task's month: most rows of a task are billed in one month. */
  monthShift: pick([0, 0, 0, 1, 2]),
  day: fc.integer({ min: 1, max: 28 }),
});
export type CostSpec = typeof costRow extends fc.Arbitrary<infer C> ? C : never;

/** Window filters: rollup columns (whole rollup rows go) and resource / additional_info (months are summed again). */
const WINDOW_FILTERS: Record<string, readonly unknown[]> = {
  account_id: POOLS.account_id,
  provider: POOLS.provider,
  'tags.env': ['prod', 'dev', null],
  resource: POOLS.resource,
  'additional_info.x': ['1', '2', null],
};

const windowFilter = pick(Object.keys(WINDOW_FILTERS)).chain((key) => pick(WINDOW_FILTERS[key]).map((value) => ({ [key]: value })));

/** A window: most end within a few months, half filter on one key. */
const changedWindow: fc.Arbitrary<ChangedWindow> = fc
  .record({
    start: fc.nat({ max: MONTHS.length - 1 }),
    span: fc.option(fc.nat({ max: 2 }), { freq: 3, nil: undefined }),
    filter: fc.option(windowFilter, { freq: 2, nil: undefined }),
  })
  .map(({ start, span, filter }) => ({
    start: MONTHS[start],
    ...(span !== undefined ? { end: MONTHS[Math.min(start + span, MONTHS.length - 1)] } : {}),
    ...(filter ? { filter } : {}),
  }));

/** A third of the tasks declare a window of their own. */
const task: fc.Arbitrary<TaskSpec> = fc.record({
  month: fc.nat({ max: MONTHS.length - 1 }),
  rows: fc.array(costRow, { maxLength: 25 }),
  changed: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: changedWindow }),
});

const job: fc.Arbitrary<JobSpec> = fc.record({
  tasks: fc.array(task, { minLength: 1, maxLength: 3 }),
  changed: fc.array(changedWindow, { maxLength: 2 }),
  ending: pick(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'FAILURE', 'CANCELED'] as const),
  finishedFirst: fc.nat({ max: 2 }),
  lateBatch: pick([true, true, false]),
});

const source: fc.Arbitrary<SourceSpec> = fc.record({
  retentionMonths: pick([null, null, null, 0, 3]),
  jobs: fc.array(job, { minLength: 2, maxLength: 5 }),
});

export const history: fc.Arbitrary<History> = fc.record({
  profiles: fc.array(profile, { minLength: 2, maxLength: 4 }),
  sources: fc.array(source, { minLength: 1, maxLength: SOURCES.length }),
  defaultMonths: pick([0, 0, 2]),
  interleave: fc.array(fc.boolean(), { maxLength: 40 }),
});

/** Empties the tables a history writes (one store serves every run). */
export async function resetStore(db: Database): Promise<void> {
  for (const table of ['cost', 'cost_monthly', 'job_task', 'job', 'data_source', 'metric_total']) await db.query(`DELETE FROM ${table}`);
}

type Step = () => Promise<void>;
const OWNER = 'rollup-test-worker';

/**
 * Applies a history as the engine would run it: each job is planned (its row and its tasks'
 * rows, IN_PROGRESS, leased to one worker) and writes all its cost rows; then its tasks succeed
 * one transaction each (`succeedTask`: rollup, count down, `closeJob` for the last), or some
 * succeed and the job ends unpublished (`endTaskAndJob` for a failed task, `endJob` for a
 * cancel, maybe with a batch committed after it). A data source runs one job at a time; the
 * two data sources' steps interleave. `afterStep` runs after every step.
 */
export async function applyHistory(db: Database, spec: History, afterStep: () => Promise<void>): Promise<void> {
  const retention: Retention = { defaultMonths: spec.defaultMonths, today: TODAY };
  let costs = 0;
  const lease = (jobId: string, seq: number): Lease => ({ jobId, jobTaskId: `${jobId}-t${seq}`, owner: OWNER, attempt: 1 });

  /** A batch of the task's rows, as its worker writes them. */
  const write = async (dataSourceId: string, jobId: string, seq: number, t: TaskSpec) => {
    if (t.rows.length === 0) return;
    const rows = t.rows.map(({ profile: p, monthShift, day, ...row }) => {
      const month = MONTHS[(t.month + monthShift) % MONTHS.length];
      return {
        ...spec.profiles[p % spec.profiles.length],
        ...row,
        cost_id: `cost-${++costs}`,
        data: {},
        data_source_id: dataSourceId,
        job_id: jobId,
        job_task_id: lease(jobId, seq).jobTaskId,
        domain_id: DOMAIN,
        billed_year: month.slice(0, 4),
        billed_month: month,
        billed_date: `${month}-${String(day).padStart(2, '0')}`,
      };
    });
    await db.query('INSERT INTO cost SELECT * FROM jsonb_populate_recordset(NULL::cost, $1::jsonb)', [JSON.stringify(rows)]);
  };

  /** The job and its tasks as planning leaves them, leased to a worker each, and every task's rows written. */
  const plan = async (dataSourceId: string, jobId: string, j: JobSpec) => {
    await db.query(
      `INSERT INTO job (job_id, status, total_tasks, remained_tasks, changed, planned, deadline_at, resource_group, workspace_id,
                        domain_id, data_source_id)
       VALUES ($1, 'IN_PROGRESS', $2, $2, $3, true, now() + interval '1 hour', 'DOMAIN', '*', $4, $5)`,
      [jobId, j.tasks.length, JSON.stringify(j.changed), DOMAIN, dataSourceId],
    );
    for (const [seq, t] of j.tasks.entries()) {
      await db.query(
        `INSERT INTO job_task (job_task_id, status, changed, seq, attempt, lease_owner, lease_until, started_at, progressed_at,
                               created_count, resource_group, workspace_id, domain_id, job_id, data_source_id)
         VALUES ($1, 'IN_PROGRESS', $2, $3, 1, $4, now() + interval '1 hour', now(), now(), $5, 'DOMAIN', '*', $6, $7, $8)`,
        [lease(jobId, seq).jobTaskId, t.changed ? JSON.stringify(t.changed) : null, seq, OWNER, t.rows.length, DOMAIN, jobId, dataSourceId],
      );
      await write(dataSourceId, jobId, seq, t);
    }
  };

  const succeed = async (jobId: string, seq: number, t: TaskSpec, expected: 'done' | 'published') => {
    const tags = t.rows.flatMap((r) => Object.keys(spec.profiles[r.profile % spec.profiles.length].tags));
    const keys = { tags: [...new Set(tags)], additional_info: [], data: [] };
    assert.equal(await succeedTask(db, lease(jobId, seq), keys, retention), expected, `task ${seq} of ${jobId}`);
  };

  /** A job that is not published: `finished` tasks succeeded, then the next one fails, or the job is cancelled. */
  const end = async (dataSourceId: string, jobId: string, j: JobSpec, finished: number) => {
    if (j.ending === 'FAILURE') {
      const ended = await endTaskAndJob(db, lease(jobId, finished), {
        taskStatus: 'FAILURE',
        errorCode: 'ERROR_PLUGIN',
        errorMessage: 'the plugin failed',
        job: { status: 'FAILURE', errorCode: 'ERROR_JOB_TASK', errorMessage: 'a task failed' },
      });
      assert.ok(ended, `${jobId} ends FAILURE`);
      return;
    }
    assert.ok(await db.transaction((tx) => endJob(tx, jobId, { status: 'CANCELED' })), `${jobId} is cancelled`);
    // A batch that passed its fence just before the cancel commits after it (lease.ts): rows of
    // an ended job, never visible, left for the reaper to sweep.
    if (j.lateBatch) await write(dataSourceId, jobId, finished, j.tasks[finished]);
  };

  const stepsOf = (dataSourceId: string, jobs: readonly JobSpec[]): Step[] =>
    jobs.flatMap((j, index) => {
      const jobId = `${dataSourceId}-job${index}`;
      const published = j.ending === 'SUCCESS';
      const finished = published ? j.tasks.length - 1 : j.finishedFirst % j.tasks.length;
      const steps: Step[] = [() => plan(dataSourceId, jobId, j)];
      for (let seq = 0; seq < finished; seq++) steps.push(() => succeed(jobId, seq, j.tasks[seq], 'done'));
      steps.push(() => (published ? succeed(jobId, finished, j.tasks[finished], 'published') : end(dataSourceId, jobId, j, finished)));
      return steps;
    });

  const lanes: Step[][] = [];
  for (const [i, s] of spec.sources.entries()) {
    await db.query(
      `INSERT INTO data_source (data_source_id, name, data_source_type, resource_group, workspace_id, domain_id, retention_months)
       VALUES ($1, $1, 'EXTERNAL', 'DOMAIN', '*', $2, $3)`,
      [SOURCES[i], DOMAIN, s.retentionMonths],
    );
    lanes.push(stepsOf(SOURCES[i], s.jobs));
  }
  const next = [0, 0];
  const run = async (lane: number) => {
    await lanes[lane][next[lane]++]();
    await afterStep();
  };
  for (const second of spec.interleave) {
    const open = lanes.map((steps, lane) => next[lane] < steps.length);
    if (!open.some(Boolean)) break;
    await run(second && open[1] ? 1 : open[0] ? 0 : 1);
  }
  for (const [lane, steps] of lanes.entries()) while (next[lane] < steps.length) await run(lane);
}

/** What a rollup row is grouped by (engine/rollup.ts), with tags as text so that equal objects compare equal. */
const KEYS = `data_source_id domain_id billed_year billed_month workspace_id provider region_code region_key product usage_type
  usage_unit account_id service_account_id project_id tags::text`.split(/\s+/);

async function grouped(db: Database, from: string, keys: readonly string[], sums: string): Promise<string[]> {
  const rows = await db.query(`SELECT ${keys.join(', ')}, ${sums} FROM ${from} GROUP BY ${keys.join(', ')}`);
  return rows.map((row) => JSON.stringify(row)).sort();
}

const ROW_SUMS = 'sum(cost::text::numeric)::text AS cost, sum(usage_quantity::text::numeric)::text AS usage_quantity, count(*)::text AS n';
const ROLLUP_SUMS = 'sum(cost)::text AS cost, sum(usage_quantity)::text AS usage_quantity, sum(row_count)::text AS n';
const FINISHED_ROWS = `cost c WHERE EXISTS (SELECT 1 FROM job j WHERE j.job_id = c.job_id AND j.status = 'SUCCESS')
                          OR EXISTS (SELECT 1 FROM job_task t WHERE t.job_task_id = c.job_task_id AND t.status = 'SUCCESS')`;

/**
 * The rollup's invariant, exactly (numeric sums as text): the published rollup sums the
 * published rows, month and dimension set by month and dimension set; and the whole table,
 * job by job, sums the rows of published jobs and finished tasks — nothing of a job that
 * ended unpublished, nothing an earlier job lost to a window or to retention.
 */
export async function checkInvariant(db: Database): Promise<void> {
  const published = await grouped(db, 'published_cost', KEYS, ROW_SUMS);
  assert.deepStrictEqual(await grouped(db, 'published_cost_monthly', KEYS, ROLLUP_SUMS), published, 'published rollup ≠ published rows');
  const finished = await grouped(db, FINISHED_ROWS, ['job_id', ...KEYS], ROW_SUMS);
  assert.deepStrictEqual(await grouped(db, 'cost_monthly', ['job_id', ...KEYS], ROLLUP_SUMS), finished, 'rollup ≠ finished rows');
}
