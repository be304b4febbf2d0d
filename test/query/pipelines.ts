import fc from 'fast-check';

/**
 * Generated aggregate pipelines over jobs: optional unwind (with a filter), document sort
 * and window, a group with keys and fields of every operator, result sort and window,
 * project with its operators, a second group, count — each optional, in pipeline order.
 */
type Json = Record<string, unknown>;

const DOC_KEYS: Json[] = [
  { key: 'status', name: 'status' },
  { key: 'data_source_id', name: 'ds' },
  { key: 'options.sync_mode', name: 'mode' },
  { key: 'created_at', name: 'month', date_format: '%Y-%m' },
  { key: 'created_at', name: 'day', date_format: 'day' },
  { key: 'error_code', name: 'error' },
];
const UNWOUND_KEYS: Json[] = [
  { key: 'changed.start', name: 'start' },
  { key: 'changed', name: 'item' },
];

const condition = fc.constantFrom<Json[]>(
  [{ key: 'status', value: 'SUCCESS', operator: 'eq' }],
  [{ key: 'total_tasks', value: 2, operator: 'gt' }],
  [
    { key: 'error_code', value: null, operator: 'not' },
    { key: 'total_tasks', value: 5, operator: 'lte' },
  ],
);

/** Fields by name; `sortable` ones hold one number and may be sorted on. */
const FIELDS: { name: string; sortable?: boolean; field: fc.Arbitrary<Json> }[] = [
  { name: 'n', sortable: true, field: fc.option(condition, { nil: undefined }).map((conditions) => ({ operator: 'count', conditions })) },
  {
    name: 'tasks_sum',
    sortable: true,
    field: fc.option(condition, { nil: undefined }).map((conditions) => ({ key: 'total_tasks', operator: 'sum', conditions })),
  },
  {
    name: 'tasks_avg',
    field: fc.option(condition, { nil: undefined }).map((conditions) => ({ key: 'total_tasks', operator: 'average', conditions })),
  },
  { name: 'tasks_minmax', sortable: true, field: fc.constantFrom('min', 'max').map((operator) => ({ key: 'total_tasks', operator })) },
  { name: 'mode_max', field: fc.constant({ key: 'options.sync_mode', operator: 'max' }) },
  { name: 'at', field: fc.constantFrom('min', 'max', 'first', 'last').map((operator) => ({ key: 'created_at', operator })) },
  { name: 'id', field: fc.constantFrom('first', 'last', 'push', 'add_to_set').map((operator) => ({ key: 'job_id', operator })) },
  { name: 'errors', field: fc.constantFrom('push', 'add_to_set', 'min').map((operator) => ({ key: 'error_code', operator })) },
  { name: 'modes', field: fc.constantFrom('push', 'add_to_set', 'first').map((operator) => ({ key: 'options.sync_mode', operator })) },
  { name: 'tags', field: fc.constant({ key: 'options.tags', operator: 'merge_objects' }) },
  { name: 'tasks', field: fc.constant({ key: 'total_tasks', operator: 'push' }) },
  { name: 'accounts', field: fc.constant({ key: 'synced_accounts', operator: 'push' }) },
  {
    name: 'runs',
    field: fc.constant({
      operator: 'push',
      fields: [
        { key: 'job_id', name: 'id' },
        { key: 'created_at', name: 'at' },
        { key: 'options.start', name: 'start' },
      ],
    }),
  },
];

const window = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 4 }).map((skip) => ({ skip })),
    fc.integer({ min: 0, max: 5 }).map((limit) => ({ limit })),
  ),
  { maxLength: 2 },
);

export const pipeline = fc
  .record({
    unwind: fc.option(
      fc.constantFrom<Json>(
        { path: 'changed' },
        { path: 'changed', filter: [{ k: 'changed.start', v: ['2025-08', '2025-09'], o: 'in' }] },
        { path: 'synced_accounts' },
      ),
      { nil: undefined },
    ),
    docSort: fc.option(
      fc.array(fc.record({ key: fc.constantFrom('status', 'total_tasks', 'created_at'), desc: fc.boolean() }), {
        minLength: 1,
        maxLength: 2,
      }),
      { nil: undefined },
    ),
    docWindow: window,
    keyPicks: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7], { maxLength: 2 }),
    fieldPicks: fc.subarray(
      FIELDS.map((_, i) => i),
      { minLength: 1, maxLength: 6 },
    ),
    fieldValues: fc.tuple(...FIELDS.map((f) => f.field)),
    resultSort: fc.boolean(),
    sortDesc: fc.boolean(),
    resultWindow: window,
    project: fc.constantFrom('none', 'rename', 'operators', 'exclude'),
    regroup: fc.boolean(),
    count: fc.boolean(),
    page: fc.record({ start: fc.integer({ min: 1, max: 3 }), limit: fc.integer({ min: 0, max: 4 }) }),
  })
  .map((p) => {
    const stages: Json[] = [];
    const unwound = p.unwind?.path === 'changed';
    if (p.unwind) stages.push({ unwind: p.unwind });
    if (p.docSort) stages.push({ sort: p.docSort });
    stages.push(...p.docWindow);
    const keys = p.keyPicks.map((i) => [...DOC_KEYS, ...UNWOUND_KEYS][i]).filter((k) => unwound || !UNWOUND_KEYS.includes(k));
    const fields = p.fieldPicks.map((i) => ({ ...p.fieldValues[i], name: FIELDS[i].name }));
    stages.push({ group: { keys, fields } });
    const names = new Set(fields.map((f) => f.name as string));
    if (p.resultSort) {
      const sortable = [...keys.map((k) => k.name as string), ...FIELDS.filter((f) => f.sortable && names.has(f.name)).map((f) => f.name)];
      if (sortable.length > 0) stages.push({ sort: sortable.slice(0, 2).map((key, i) => ({ key, desc: p.sortDesc !== i > 0 })) });
    }
    stages.push(...p.resultWindow);
    if (p.project !== 'none') {
      const projected: Json[] = [{ key: fields[0].name, name: 'first_field' }];
      if (p.project === 'operators' && names.has('tasks'))
        projected.push({ key: 'tasks', name: 'size', operator: 'size' }, { key: 'tasks', name: 'total', operator: 'sum' });
      if (p.project === 'operators' && names.has('tags')) projected.push({ key: 'tags', name: 'pairs', operator: 'object_to_array' });
      if (p.project === 'operators' && names.has('tasks_sum'))
        projected.push({ key: 'tasks_sum', name: 'tasks_sum_or_0', operator: 'sum' });
      stages.push({ project: { fields: projected, exclude_keys: p.project === 'exclude' } });
    }
    if (p.regroup && p.project === 'none' && keys.length > 0) {
      stages.push({
        group: {
          keys: [{ key: keys[0].name, name: 'again' }],
          fields: [
            { operator: 'count', name: 'groups' },
            { key: fields[0].name, operator: 'first', name: 'sample' },
          ],
        },
      });
    }
    if (p.count) stages.push({ count: { name: 'total' } });
    return { aggregate: stages, page: p.page };
  });

/** Document-level project (no group): copies and operators over each job. */
export const documentProjection = fc.record({
  fields: fc.subarray<Json>(
    [
      { key: 'job_id', name: 'id' },
      { key: 'changed', name: 'changes', operator: 'size' },
      { key: 'synced_accounts', name: 'accounts', operator: 'size' },
      { key: 'total_tasks', name: 'tasks', operator: 'sum' },
      { key: 'options.tags', name: 'tag_pairs', operator: 'object_to_array' },
      { key: 'changed', name: 'as_object', operator: 'array_to_object' },
      { key: 'created_at', name: 'at' },
    ],
    { minLength: 1 },
  ),
  sort: fc.option(fc.constantFrom('total_tasks', 'status'), { nil: undefined }),
  window,
});
