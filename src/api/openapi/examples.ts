/**
 * An example request for each request message of the API, shown in the reference
 * (test/api/openapi.test.ts checks each against its message's schema). Ids look like the ones
 * costsync makes; queries use the query language of docs/api.md.
 */
const V1 = 'spaceone.api.cost_analysis.v1';
const JOB = 'job-0a1b2c3d4e5f';
const TASK = 'job-task-0a1b2c3d4e5f';
const SOURCE = 'ds-0a1b2c3d4e5f';

const page = { start: 1, limit: 20 };
const newestFirst = [{ key: 'created_at', desc: true }];
const countBy = (key: string) => [
  { group: { keys: [{ key, name: key }], fields: [{ operator: 'count', name: 'count' }] } },
  { sort: [{ key: 'count', desc: true }] },
];

export const REQUEST_EXAMPLES: Record<string, Record<string, unknown>> = {
  [`${V1}.JobRequest`]: { job_id: JOB },
  [`${V1}.JobQuery`]: { data_source_id: SOURCE, status: 'FAILURE', query: { sort: newestFirst, page } },
  [`${V1}.JobStatQuery`]: { query: { aggregate: countBy('status') } },
  [`${V1}.JobTaskRequest`]: { job_task_id: TASK },
  [`${V1}.JobTaskQuery`]: { job_id: JOB, query: { filter: [{ k: 'status', v: ['FAILURE', 'TIMEOUT'], o: 'in' }], page } },
  [`${V1}.JobTaskStatQuery`]: {
    query: {
      filter: [{ k: 'job_id', v: JOB, o: 'eq' }],
      aggregate: [
        { group: { keys: [{ key: 'status', name: 'status' }], fields: [{ key: 'created_count', name: 'rows', operator: 'sum' }] } },
      ],
    },
  },
  [`${V1}.RegisterDataSourceRequest`]: {
    name: 'AWS CUR, payer 999999999999',
    data_source_type: 'EXTERNAL',
    resource_group: 'DOMAIN',
    plugin_info: {
      plugin_id: 'aws-cur',
      options: { base_url: ['s3://billing-exports/cur/'], cost_measure: 'amortized' },
      secret_data: { aws_access_key_id: 'AKIA…', aws_secret_access_key: '…' },
    },
    schedule: { state: 'ENABLED', hour: 3 },
    retention_months: 24,
  },
  [`${V1}.UpdateDataSourceRequest`]: { data_source_id: SOURCE, name: 'AWS CUR (payer)', schedule: { state: 'ENABLED', hour: 5 } },
  [`${V1}.UpdateDataSourcePermissionsRequest`]: { data_source_id: SOURCE, permissions: {} },
  [`${V1}.UpdateDataSourcePluginRequest`]: {
    data_source_id: SOURCE,
    options: { base_url: ['s3://billing-exports/cur/'], cost_measure: 'net_unblended' },
  },
  [`${V1}.UpdateSecretDataSourceRequest`]: {
    data_source_id: SOURCE,
    secret_data: { aws_access_key_id: 'AKIA…', aws_secret_access_key: '…' },
  },
  [`${V1}.DataSourceRequest`]: { data_source_id: SOURCE },
  [`${V1}.DeregisterDataSourceRequest`]: { data_source_id: SOURCE, cascade_delete_cost: true },
  [`${V1}.SyncDataSourceRequest`]: { data_source_id: SOURCE, start: '2026-01' },
  [`${V1}.DataSourceQuery`]: { query: { sort: [{ key: 'name' }], page } },
  [`${V1}.DataSourceStatQuery`]: { query: { aggregate: countBy('data_source_type') } },
  [`${V1}.DataSourceAccountRequest`]: { data_source_id: SOURCE, account_id: '111111111111' },
  [`${V1}.DataSourceAccountQuery`]: { data_source_id: SOURCE, query: { page } },
  [`${V1}.UpdateDataSourceAccountRequest`]: { data_source_id: SOURCE, account_id: '111111111111', workspace_id: 'workspace-0a1b2c3d4e5f' },
  [`${V1}.ResetDataSourceAccountRequest`]: { data_source_id: SOURCE, account_id: '111111111111' },
  [`${V1}.DataSourceAccountStatQuery`]: { query: { aggregate: countBy('data_source_id') } },
  [`${V1}.CostRequest`]: { cost_id: 'cost-0a1b2c3d4e5f' },
  [`${V1}.CreateCostRequest`]: { data_source_id: SOURCE, cost: 1.25, billed_date: '2026-11-30' },
  [`${V1}.CostQuery`]: { data_source_id: SOURCE, billed_month: '2026-11', query: { sort: [{ key: 'cost', desc: true }], page } },
  [`${V1}.CostAnalyzeQuery`]: {
    data_source_id: SOURCE,
    query: {
      granularity: 'MONTHLY',
      start: '2026-01',
      end: '2026-12',
      group_by: ['provider'],
      fields: { cost: { key: 'cost', operator: 'sum' } },
      sort: [{ key: '_total_cost', desc: true }],
    },
  },
  [`${V1}.CostStatQuery`]: {
    data_source_id: SOURCE,
    query: {
      aggregate: [{ group: { keys: [{ key: 'billed_month', name: 'month' }], fields: [{ key: 'cost', name: 'cost', operator: 'sum' }] } }],
    },
  },
};
