import { COST_MONTHLY_DIMENSIONS } from '../store/rows.js';
import type { Catalogue, FieldDef } from './catalogue.js';

/** The field catalogues of the five resources. Keys are the wire field names. */

const text = (column: string): FieldDef => ({ sql: column, type: 'text' });
const number = (column: string): FieldDef => ({ sql: column, type: 'number' });
const timestamp = (column: string): FieldDef => ({ sql: column, type: 'timestamp' });
const json = (expression: string): FieldDef => ({ sql: expression, type: 'json' });
const bool = (column: string): FieldDef => ({ sql: column, type: 'bool' });
const decimal = (column: string): FieldDef => ({ sql: column, type: 'number', decimal: true });
/** A NOT NULL column (see FieldDef.notNull); must match the migrations (001_init.sql, 003_data_source_account.sql). */
const required = (def: FieldDef): FieldDef => ({ ...def, notNull: true });

/** Lists return everything up to this many rows unless the client pages. */
const DEFAULT_PAGE = { default: 10_000, max: 10_000 };

const scoped = {
  domain_id: required(text('domain_id')),
  workspace_id: text('workspace_id'),
};

export const JOB_CATALOGUE: Catalogue = {
  resource: 'Job',
  source: 'job',
  select: '*',
  idKey: 'job_id',
  keywordKeys: ['job_id'],
  defaultSort: [{ key: 'created_at', desc: true }],
  pageLimit: DEFAULT_PAGE,
  fields: {
    job_id: required(text('job_id')),
    status: required(text('status')),
    options: json('options'),
    error_code: text('error_code'),
    error_message: text('error_message'),
    total_tasks: required(number('total_tasks')),
    remained_tasks: required(number('remained_tasks')),
    changed: json('changed'),
    synced_accounts: json('synced_accounts'),
    resource_group: required(text('resource_group')),
    ...scoped,
    data_source_id: required(text('data_source_id')),
    created_at: required(timestamp('created_at')),
    updated_at: required(timestamp('updated_at')),
    finished_at: timestamp('finished_at'),
  },
};

export const JOB_TASK_CATALOGUE: Catalogue = {
  resource: 'JobTask',
  source: 'job_task',
  select: '*',
  idKey: 'job_task_id',
  keywordKeys: ['job_task_id'],
  defaultSort: [{ key: 'created_at', desc: true }],
  pageLimit: DEFAULT_PAGE,
  fields: {
    job_task_id: required(text('job_task_id')),
    status: required(text('status')),
    options: json('options'),
    changed: json('changed'),
    created_count: required(number('created_count')),
    attempt: required(number('attempt')),
    error_code: text('error_code'),
    error_message: text('error_message'),
    resource_group: required(text('resource_group')),
    ...scoped,
    job_id: required(text('job_id')),
    data_source_id: required(text('data_source_id')),
    created_at: required(timestamp('created_at')),
    started_at: timestamp('started_at'),
    updated_at: required(timestamp('updated_at')),
    finished_at: timestamp('finished_at'),
  },
};

/** `plugin_info` holds no secret (that lives in `secret_data_encrypted`, which is not a key here). */
export const DATA_SOURCE_CATALOGUE: Catalogue = {
  resource: 'DataSource',
  source: 'data_source',
  select: '*',
  idKey: 'data_source_id',
  keywordKeys: ['data_source_id', 'name'],
  defaultSort: [{ key: 'name', desc: false }],
  pageLimit: DEFAULT_PAGE,
  fields: {
    data_source_id: required(text('data_source_id')),
    name: required(text('name')),
    data_source_type: required(text('data_source_type')),
    provider: text('provider'),
    secret_type: required(text('secret_type')),
    secret_filter: json('secret_filter'),
    permissions: json('permissions'),
    plugin_info: json('plugin_info'),
    template: json('template'),
    tags: json('tags'),
    schedule: json(`jsonb_build_object('state', schedule_state, 'hour', schedule_hour)`),
    'schedule.state': text('schedule_state'),
    'schedule.hour': number('schedule_hour'),
    cost_tag_keys: json('to_jsonb(cost_tag_keys)'),
    cost_additional_info_keys: json('to_jsonb(cost_additional_info_keys)'),
    cost_data_keys: json('to_jsonb(cost_data_keys)'),
    resource_group: required(text('resource_group')),
    ...scoped,
    created_at: required(timestamp('created_at')),
    updated_at: required(timestamp('updated_at')),
    last_synchronized_at: timestamp('last_synchronized_at'),
  },
};

/**
 * Account routing's accounts (migrations/003_data_source_account.sql). The primary key is
 * (data_source_id, account_id): the same cloud account may be reached by several data sources,
 * so both keys end every sort (`uniqueKeys`), and a get is a list with both as conditions
 * (`findVisible` looks up a single id column). `workspace_id` here is the workspace the
 * account's cost rows are routed to (NULL: domain-level), not a visibility scope.
 */
export const DATA_SOURCE_ACCOUNT_CATALOGUE: Catalogue = {
  resource: 'DataSourceAccount',
  source: 'data_source_account',
  select: '*',
  idKey: 'account_id',
  uniqueKeys: ['data_source_id', 'account_id'],
  keywordKeys: ['account_id', 'name'],
  defaultSort: [
    { key: 'data_source_id', desc: false },
    { key: 'account_id', desc: false },
  ],
  pageLimit: DEFAULT_PAGE,
  fields: {
    data_source_id: required(text('data_source_id')),
    account_id: required(text('account_id')),
    name: required(text('name')),
    is_sync: required(bool('is_sync')),
    ...scoped,
    created_at: required(timestamp('created_at')),
    updated_at: required(timestamp('updated_at')),
  },
};

/** Cost rows are read only through `published_cost`: rows of a job that has not succeeded are never seen. */
export const COST_CATALOGUE: Catalogue = {
  resource: 'Cost',
  source: 'published_cost',
  select: [
    'cost_id, cost, usage_quantity, usage_unit, provider, region_code, region_key, product, usage_type, resource',
    'tags, additional_info, data, account_id, service_account_id, project_id, data_source_id, workspace_id, domain_id',
    `billed_year, billed_month, to_char(billed_date, 'YYYY-MM-DD') AS billed_date`,
  ].join(', '),
  idKey: 'cost_id',
  keywordKeys: ['cost_id'],
  defaultSort: [{ key: 'billed_date', desc: true }],
  pageLimit: { default: 1000, max: 1000 },
  fields: {
    cost_id: required(text('cost_id')),
    cost: required(number('cost')),
    usage_quantity: required(number('usage_quantity')),
    usage_unit: text('usage_unit'),
    provider: text('provider'),
    region_code: text('region_code'),
    region_key: text('region_key'),
    product: text('product'),
    usage_type: text('usage_type'),
    resource: text('resource'),
    tags: json('tags'),
    additional_info: json('additional_info'),
    data: json('data'),
    account_id: text('account_id'),
    service_account_id: text('service_account_id'),
    project_id: text('project_id'),
    data_source_id: required(text('data_source_id')),
    ...scoped,
    billed_year: required(text('billed_year')),
    billed_month: required(text('billed_month')),
    billed_date: { sql: 'billed_date', type: 'date', notNull: true },
  },
};

/** The cost keys whose values the rollup keeps (its dimensions, the scope and the month; migration 006). */
const ROLLED_UP = [...COST_MONTHLY_DIMENSIONS, 'data_source_id', 'domain_id', 'billed_year', 'billed_month'];

/**
 * The monthly rollup of the published cost rows (`published_cost_monthly`, migration 006), read
 * in place of `published_cost` when a query names only its columns (query/rollup.ts). `cost` and
 * `usage_quantity` are the sums of a rollup row's rows and `row_count` how many there were.
 */
export const COST_MONTHLY_CATALOGUE: Catalogue = {
  resource: 'Cost',
  source: 'published_cost_monthly',
  select: '*',
  idKey: 'cost_monthly_id',
  keywordKeys: [],
  defaultSort: [{ key: 'billed_month', desc: true }],
  pageLimit: COST_CATALOGUE.pageLimit,
  fields: {
    cost_monthly_id: required(number('cost_monthly_id')),
    cost: required(decimal('cost')),
    usage_quantity: required(decimal('usage_quantity')),
    row_count: required(number('row_count')),
    ...Object.fromEntries(ROLLED_UP.map((key) => [key, COST_CATALOGUE.fields[key]])),
  },
};
