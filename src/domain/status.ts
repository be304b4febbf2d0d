/**
 * Closed sets of the service, compared only through these constants.
 * Job and JobTask number their statuses differently on the wire (spec §2.2, §2.3):
 * the numbers live with the gRPC mapping, the names here.
 */
export const JOB_STATUS = {
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  TIMEOUT: 'TIMEOUT',
  CANCELED: 'CANCELED',
} as const;
export type JobStatus = (typeof JOB_STATUS)[keyof typeof JOB_STATUS];

export const TASK_STATUS = {
  PENDING: 'PENDING',
  IN_PROGRESS: 'IN_PROGRESS',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  TIMEOUT: 'TIMEOUT',
  CANCELED: 'CANCELED',
} as const;
export type TaskStatus = (typeof TASK_STATUS)[keyof typeof TASK_STATUS];

export const RESOURCE_GROUP = { DOMAIN: 'DOMAIN', WORKSPACE: 'WORKSPACE' } as const;
export type ResourceGroup = (typeof RESOURCE_GROUP)[keyof typeof RESOURCE_GROUP];

export const SYNC_MODE = { MANUAL: 'MANUAL', SCHEDULED: 'SCHEDULED' } as const;
export type SyncMode = (typeof SYNC_MODE)[keyof typeof SYNC_MODE];

export const DATA_SOURCE_TYPE = { LOCAL: 'LOCAL', EXTERNAL: 'EXTERNAL' } as const;
export type DataSourceType = (typeof DATA_SOURCE_TYPE)[keyof typeof DATA_SOURCE_TYPE];

export const SECRET_TYPE = { MANUAL: 'MANUAL', USE_SERVICE_ACCOUNT_SECRET: 'USE_SERVICE_ACCOUNT_SECRET' } as const;
export type SecretType = (typeof SECRET_TYPE)[keyof typeof SECRET_TYPE];

export const SCHEDULE_STATE = { ENABLED: 'ENABLED', DISABLED: 'DISABLED' } as const;
export type ScheduleState = (typeof SCHEDULE_STATE)[keyof typeof SCHEDULE_STATE];

export const ROLE = {
  DOMAIN_ADMIN: 'DOMAIN_ADMIN',
  WORKSPACE_OWNER: 'WORKSPACE_OWNER',
  WORKSPACE_MEMBER: 'WORKSPACE_MEMBER',
} as const;
export type Role = (typeof ROLE)[keyof typeof ROLE];

/** The workspace id of domain-level resources (spec §5.7). */
export const DOMAIN_WORKSPACE = '*';

export function isOneOf<T extends string>(set: Record<string, T>, value: unknown): value is T {
  return typeof value === 'string' && Object.values(set).includes(value as T);
}
