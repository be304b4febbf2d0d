/**
 * The parts of the API's answers the CLI reads (JobInfo, JobTaskInfo, DataSourceInfo, as REST
 * sends them: snake_case, zeros and empty strings absent). Every field is one of the message's
 * in proto/ — test/grpc/wire-types.test.ts checks it — except JobTaskInfo's `attempt`, which
 * REST adds.
 */
export interface JobWire {
  job_id: string;
  status: string;
  data_source_id?: string;
  total_tasks?: number;
  remained_tasks?: number;
  error_code?: string;
  error_message?: string;
  created_at?: string;
  finished_at?: string;
  retention_deleted_count?: number;
  retained_from?: string;
}

export interface TaskWire {
  job_task_id: string;
  status: string;
  attempt?: number;
  created_count?: number;
  options?: unknown;
  started_at?: string;
  finished_at?: string;
  error_code?: string;
  error_message?: string;
}

export interface DataSourceWire {
  data_source_id: string;
  name: string;
  data_source_type?: string;
  plugin_info?: { plugin_id?: string; options?: Record<string, unknown> };
  schedule?: { state?: string; hour?: number };
  tags?: Record<string, unknown>;
  retention_months?: number;
  workspace_id?: string;
  last_synchronized_at?: string;
}
