import type { EngineConfig } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import { err, isCostsyncError } from '../domain/errors.js';
import { newId } from '../domain/ids.js';
import { DATA_SOURCE_TYPE, JOB_STATUS, SCHEDULE_STATE } from '../domain/status.js';
import { formatTimestamp } from '../domain/time.js';
import type { PluginResolver } from '../plugins/registry.js';
import type { TasksInfo } from '../plugins/plugin.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Database } from '../store/database.js';
import type { ChangedWindow, DataSourceRow, JobPlugin, JobRow } from '../store/rows.js';
import { refreshLinkedAccounts, routingSnapshot, usesAccountRouting } from './account-routing.js';
import { ChangedError, normalizeChanged } from './changed.js';
import { closeJob } from './close-job.js';
import { addTotals } from '../metrics/totals.js';
import { endJob, lockJob } from './end-job.js';
import { openSecret, pluginOf, pluginOptions } from './task-plugin.js';
import type { SyncRequest } from './types.js';

/**
 * Starting a job (DataSource.sync and the scheduler), in three steps:
 *   1. insert the job IN_PROGRESS — the partial unique index allows one running job per data
 *      source, so a second sync fails here, before the plugin is called;
 *   2. ask the plugin for tasks (outside any transaction, with a deadline);
 *   3. in one transaction, create the tasks and mark the job planned (or publish it at once
 *      when there are no tasks), then wake the workers.
 * If step 2 fails the job ends FAILURE with ERROR_GET_JOB_TASKS, so the attempt stays visible.
 */
const INSERT_JOB = `
  INSERT INTO job (job_id, status, options, plugin_info, deadline_at, resource_group, workspace_id, domain_id, data_source_id)
  VALUES ($1, 'IN_PROGRESS', $2, $8, now() + $3 * interval '1 millisecond', $4, $5, $6, $7)
  RETURNING *`;

const RUNNING_JOB = `SELECT job_id FROM job WHERE data_source_id = $1 AND status = 'IN_PROGRESS'`;

const INSERT_TASKS = `
  INSERT INTO job_task (job_task_id, status, options, changed, seq, resource_group, workspace_id, domain_id, job_id, data_source_id)
  SELECT t.job_task_id, 'PENDING', t.options, t.changed, t.seq, $2, $3, $4, $1, $5
    FROM jsonb_to_recordset($6::jsonb) AS t(job_task_id text, options jsonb, changed jsonb, seq integer)`;

const MARK_PLANNED = `
  UPDATE job SET planned = true, total_tasks = $2, remained_tasks = $2, changed = $3, synced_accounts = $4, updated_at = now()
   WHERE job_id = $1
  RETURNING *`;

/** Share lock: a concurrent deregister (which locks the row for update) waits, or has already won. */
const DATA_SOURCE_STILL_THERE = `SELECT 1 FROM data_source WHERE data_source_id = $1 FOR SHARE`;

export const TASKS_CHANNEL = 'costsync_tasks';

export interface PlanDeps {
  db: Database;
  config: EngineConfig;
  plugins: PluginResolver;
  secrets: SecretBox;
  clock: Clock;
}

export async function planJob(deps: PlanDeps, dataSource: DataSourceRow, request: SyncRequest): Promise<JobRow> {
  if (dataSource.data_source_type === DATA_SOURCE_TYPE.LOCAL) throw err.notAllowSync(dataSource.data_source_id);
  if (dataSource.schedule_state === SCHEDULE_STATE.DISABLED) throw err.dataSourceState(dataSource.data_source_id);
  const plugin = pluginOf(dataSource, deps.plugins);
  // What the job runs with, from planning to its last task's last retry (see jobPlugin).
  const snapshot: JobPlugin = { plugin_id: dataSource.plugin_info!.plugin_id, options: pluginOptions(dataSource) };
  const job = await insertJob(deps, dataSource, request, snapshot);

  let plan: ValidPlan;
  try {
    const signal = AbortSignal.timeout(deps.config.planTimeoutMs);
    const secretData = openSecret(dataSource, deps.secrets);
    const routing = usesAccountRouting(dataSource);
    const linkedAccounts = routing
      ? await refreshLinkedAccounts(deps.db, dataSource, plugin, { options: snapshot.options, secret_data: secretData }, signal)
      : undefined;
    const answer = await plugin.getTasks(
      {
        options: snapshot.options,
        secret_data: secretData,
        ...(request.start ? { start: request.start } : {}),
        ...(dataSource.last_synchronized_at ? { last_synchronized_at: formatTimestamp(dataSource.last_synchronized_at) } : {}),
        ...(linkedAccounts ? { linked_accounts: linkedAccounts } : {}),
        domain_id: dataSource.domain_id,
      },
      signal,
    );
    if (routing) await keepRouting(deps.db, job.job_id, { ...snapshot, routing: await routingSnapshot(deps.db, dataSource) });
    plan = validatePlan(answer, deps.config.maxPlanTasks);
  } catch (error) {
    const reason = isCostsyncError(error) || error instanceof Error ? error.message : String(error);
    await deps.db.transaction((tx) =>
      endJob(tx, job.job_id, { status: JOB_STATUS.FAILURE, errorCode: 'ERROR_GET_JOB_TASKS', errorMessage: reason }),
    );
    throw err.getJobTasks(dataSource.data_source_id, reason);
  }
  return createTasks(deps, job, plan);
}

const KEEP_ROUTING = `UPDATE job SET plugin_info = $2 WHERE job_id = $1`;

/** The routing the job's rows follow, fixed when it is planned (the mapping as it was then). */
async function keepRouting(db: Database, jobId: string, plugin: JobPlugin): Promise<void> {
  await db.query(KEEP_ROUTING, [jobId, JSON.stringify(plugin)]);
}

async function insertJob(deps: PlanDeps, dataSource: DataSourceRow, request: SyncRequest, plugin: JobPlugin): Promise<JobRow> {
  const options = { no_preload_cache: request.noPreloadCache ?? false, start: request.start ?? null, sync_mode: request.syncMode };
  try {
    const [job] = await deps.db.query<JobRow>(INSERT_JOB, [
      newId('job'),
      JSON.stringify(options),
      deps.config.jobTimeoutMs,
      dataSource.resource_group,
      dataSource.workspace_id,
      dataSource.domain_id,
      dataSource.data_source_id,
      JSON.stringify(plugin),
    ]);
    return job;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    const [running] = await deps.db.query<{ job_id: string }>(RUNNING_JOB, [dataSource.data_source_id]);
    throw err.duplicateJob(dataSource.data_source_id, running?.job_id ?? 'unknown');
  }
}

interface ValidPlan {
  tasks: { options: Record<string, unknown>; changed: ChangedWindow | null }[];
  changed: ChangedWindow[];
  syncedAccounts: { account_id: string }[];
}

/** The plugin's answer, checked before anything is stored: a bad plan fails the sync, not the data. */
function validatePlan(answer: TasksInfo, maxTasks: number): ValidPlan {
  if (!answer || typeof answer !== 'object' || !Array.isArray(answer.tasks)) {
    throw new ChangedError('get_tasks must return {tasks: [...]}');
  }
  if (answer.tasks.length > maxTasks) {
    throw new ChangedError(
      `the plugin planned ${answer.tasks.length.toLocaleString('en-US')} tasks; a sync may have at most ${maxTasks.toLocaleString('en-US')} (COSTSYNC_PLAN_MAX_TASKS)`,
    );
  }
  try {
    const tasks = answer.tasks.map((task, i) => {
      const options = task?.task_options;
      if (!options || typeof options !== 'object' || Array.isArray(options))
        throw new ChangedError(`tasks[${i}].task_options must be an object`);
      return { options, changed: task.task_changed ? normalizeChanged(task.task_changed, `tasks[${i}].task_changed`) : null };
    });
    const changed = (answer.changed ?? []).map((c, i) => normalizeChanged(c, `changed[${i}]`));
    const syncedAccounts = (answer.synced_accounts ?? [])
      .filter((a) => a && typeof a.account_id === 'string')
      .map((a) => ({ account_id: a.account_id }));
    return { tasks, changed, syncedAccounts };
  } catch (error) {
    throw new ChangedError(`the plugin's plan is invalid: ${(error as Error).message}`);
  }
}

async function createTasks(deps: PlanDeps, job: JobRow, plan: ValidPlan): Promise<JobRow> {
  return deps.db.transaction(async (tx) => {
    const locked = await lockJob(tx, job.job_id);
    // Cancelled (or timed out) while the plugin was planning: nothing to create.
    if (!locked || locked.status !== JOB_STATUS.IN_PROGRESS) return locked ?? job;
    // Deregistered while the plugin was planning: the job ends instead of running on nothing.
    const [source] = await tx.query(DATA_SOURCE_STILL_THERE, [job.data_source_id]);
    if (!source) {
      const ended = await endJob(tx, job.job_id, {
        status: JOB_STATUS.CANCELED,
        errorMessage: 'The data source was deregistered while its sync was being planned.',
      });
      return ended ?? locked;
    }
    if (plan.tasks.length) {
      const rows = plan.tasks.map((task, seq) => ({ job_task_id: newId('jobTask'), options: task.options, changed: task.changed, seq }));
      await tx.query(INSERT_TASKS, [
        job.job_id,
        job.resource_group,
        job.workspace_id,
        job.domain_id,
        job.data_source_id,
        JSON.stringify(rows),
      ]);
    }
    const [planned] = await tx.query<JobRow>(MARK_PLANNED, [
      job.job_id,
      plan.tasks.length,
      JSON.stringify(plan.changed),
      JSON.stringify(plan.syncedAccounts),
    ]);
    if (plan.tasks.length === 0) {
      const closed = await closeJob(tx, planned, { defaultMonths: deps.config.retentionMonths, today: deps.clock() });
      await addTotals(tx, closed.totals);
      return closed.job;
    }
    await tx.query('SELECT pg_notify($1, $2)', [TASKS_CHANNEL, job.job_id]);
    return planned;
  });
}
