import fc from 'fast-check';

/**
 * Generated jobs and queries for the property tests. Values come from small pools so that
 * filters hit, groups collide and ties happen; every operator and value shape is covered.
 */
export type JobDoc = Record<string, unknown> & { job_id: string };

const STATUSES = ['IN_PROGRESS', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED'];
const MONTHS = ['2025-07', '2025-08', '2025-09'];
const ERROR_CODES = ['ERROR_JOB_TASK', 'ERROR_get_job_tasks', 'x%y_z'];

const instant = fc
  .integer({ min: Date.parse('2025-07-01T00:00:00Z') / 1000, max: Date.parse('2025-09-30T23:59:59Z') / 1000 })
  .map((s) => new Date(s * 1000 + (s % 7) * 111));

const syncMode = fc.constantFrom('MANUAL', 'SCHEDULED', 'manual', 3, 7, null, true);
const changedItem = fc.oneof(
  { weight: 4, arbitrary: fc.record({ start: fc.constantFrom(...MONTHS) }, { requiredKeys: [] }) },
  {
    weight: 2,
    arbitrary: fc.record(
      { start: fc.constantFrom(...MONTHS), account: fc.constantFrom('a1', 'a2', null), n: fc.integer({ min: 0, max: 3 }) },
      { requiredKeys: ['start'] },
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('2025-08', 5, null, ['2025-07']) },
);

export const jobDoc = (index: number) =>
  fc
    .record({
      status: fc.constantFrom(...STATUSES),
      options: fc.record(
        {
          sync_mode: syncMode,
          start: fc.constantFrom('2025-08', '2025-09', null),
          tags: fc.dictionary(fc.constantFrom('env', 'team'), fc.constantFrom('dev', 'prod', 1)),
        },
        { requiredKeys: [] },
      ),
      error_code: fc.option(fc.constantFrom(...ERROR_CODES), { nil: null }),
      total_tasks: fc.integer({ min: 0, max: 6 }),
      remained_tasks: fc.integer({ min: 0, max: 2 }),
      changed: fc.array(changedItem, { maxLength: 3 }),
      synced_accounts: fc.array(fc.constantFrom('a1', 'a2', 'A1', 4), { maxLength: 3 }),
      data_source_id: fc.constantFrom('ds-a', 'ds-b'),
      created_at: instant,
      finished_at: fc.option(instant, { nil: null }),
    })
    .map((doc): JobDoc => ({ ...doc, job_id: `job-${String(index).padStart(4, '0')}${'abcdef'[index % 6]}` }));

export const jobDocs = (max = 14) => fc.integer({ min: 0, max }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => jobDoc(i))));

const scalarFor: Record<string, fc.Arbitrary<unknown>> = {
  status: fc.constantFrom(...STATUSES, 'success'),
  error_code: fc.constantFrom(...ERROR_CODES, 'error', 'TASK', '%', '_'),
  job_id: fc.constantFrom('job-0001', '00', 'B', 'job'),
  total_tasks: fc.integer({ min: 0, max: 6 }),
  data_source_id: fc.constantFrom('ds-a', 'ds-b', 'ds-c'),
  'options.sync_mode': syncMode.filter((v) => v !== null),
  'options.start': fc.constantFrom('2025-08', '2025-09'),
  'options.tags.env': fc.constantFrom('dev', 'prod', 1),
  changed: changedItem.filter((v) => v !== null && !Array.isArray(v)),
  synced_accounts: fc.constantFrom('a1', 'a2', 4, 'A1'),
};
const ORDERED_KEYS = ['status', 'total_tasks', 'options.sync_mode', 'options.start', 'error_code'];
const TEXT_KEYS = [
  'status',
  'error_code',
  'job_id',
  'options.sync_mode',
  'synced_accounts',
  'changed',
  'options.tags.env',
  'created_at',
  'total_tasks',
];
const EQ_KEYS = Object.keys(scalarFor);
const TIME_KEYS = ['created_at', 'finished_at'];
const PATTERNS = ['^err', 'task', 'job_[a-z]+', 'SUCC|FAIL', '^a[0-9]$', 'x.y', '^(dev|prod)$', '08$'];

const condition = (k: string, o: string, v: fc.Arbitrary<unknown>) => v.map((value) => ({ k, o, v: value }));
const anyOf = <T>(keys: string[], f: (key: string) => fc.Arbitrary<T>) => fc.constantFrom(...keys).chain(f);

/** One filter condition of any operator, with a value of the right shape. */
export const filterCondition: fc.Arbitrary<{ k: string; o: string; v: unknown }> = fc.oneof(
  anyOf(EQ_KEYS, (k) =>
    fc
      .constantFrom('eq', 'not')
      .chain((o) => condition(k, o, fc.oneof({ weight: 5, arbitrary: scalarFor[k] }, { weight: 1, arbitrary: fc.constant(null) }))),
  ),
  anyOf(EQ_KEYS, (k) =>
    fc
      .constantFrom('in', 'not_in')
      .chain((o) =>
        condition(
          k,
          o,
          fc.array(fc.oneof({ weight: 6, arbitrary: scalarFor[k] }, { weight: 1, arbitrary: fc.constant(null) }), { maxLength: 3 }),
        ),
      ),
  ),
  anyOf(ORDERED_KEYS, (k) => fc.constantFrom('lt', 'lte', 'gt', 'gte').chain((o) => condition(k, o, scalarFor[k]))),
  anyOf([...EQ_KEYS, 'finished_at'], (k) => condition(k, 'exists', fc.boolean())),
  anyOf(TEXT_KEYS, (k) =>
    fc
      .constantFrom('contain', 'not_contain')
      .chain((o) => condition(k, o, fc.constantFrom('err', 'TASK', 'a1', '08', 'sched', '%', '2025-07', '1'))),
  ),
  anyOf(TEXT_KEYS, (k) =>
    fc
      .constantFrom('contain_in', 'not_contain_in')
      .chain((o) => condition(k, o, fc.array(fc.constantFrom('err', 'job', 'A', 'prod', '09', 'x_'), { maxLength: 3 }))),
  ),
  anyOf(['status', 'error_code', 'job_id', 'options.sync_mode', 'options.tags.env', 'synced_accounts', 'changed'], (k) =>
    condition(k, 'regex', fc.constantFrom(...PATTERNS)),
  ),
  anyOf(['status', 'error_code', 'synced_accounts', 'options.start'], (k) =>
    condition(k, 'regex_in', fc.array(fc.constantFrom(...PATTERNS), { maxLength: 3 })),
  ),
  condition(
    'changed',
    'match',
    fc.record({ start: fc.constantFrom(...MONTHS, null), account: fc.constantFrom('a1', 'a2', null) }, { requiredKeys: [] }),
  ),
  anyOf(TIME_KEYS, (k) =>
    fc
      .constantFrom('datetime_lt', 'datetime_lte', 'datetime_gt', 'datetime_gte')
      .chain((o) => condition(k, o, fc.constantFrom('2025-08-01', '2025-08-15T12:00:00Z', '2025-07-20T09:00:00+09:00'))),
  ),
  anyOf(TIME_KEYS, (k) =>
    fc
      .constantFrom('timediff_lt', 'timediff_gte')
      .chain((o) => condition(k, o, fc.constantFrom('now/d - 1000d', 'now/m', 'now/w - 52w', 'now/d + 1d'))),
  ),
);

export const listQuery = fc.record(
  {
    filter: fc.array(filterCondition, { maxLength: 3 }),
    filter_or: fc.array(filterCondition, { maxLength: 2 }),
    keyword: fc.constantFrom('', '00', 'a 01', '0003b'),
    sort: fc.array(
      fc.record({
        key: fc.constantFrom('status', 'total_tasks', 'created_at', 'finished_at', 'error_code', 'options.sync_mode', 'options.start'),
        desc: fc.boolean(),
      }),
      { maxLength: 3 },
    ),
    page: fc.record({ start: fc.integer({ min: 0, max: 5 }), limit: fc.integer({ min: 0, max: 6 }) }),
    count_only: fc.boolean(),
  },
  { requiredKeys: ['page'] },
);
