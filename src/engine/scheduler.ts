import type { Logger } from '../app/logger.js';
import { SYNC_MODE } from '../domain/status.js';
import type { Database } from '../store/database.js';
import type { DataSourceRow, JobRow } from '../store/rows.js';
import type { SyncRequest } from './types.js';

/**
 * The hourly schedule: a data source with `schedule {state: ENABLED, hour: H}` syncs once a
 * day at H:00 UTC. Each data source remembers the last slot it was started for; a slot is due
 * when it is later than that (and than the data source's creation). So a process that was down
 * at H:00 starts the sync when it comes back, and several schedulers never start one slot
 * twice: claiming the slot is a conditional update that only one of them wins.
 *
 * $1 is the scheduler's clock (see domain/clock.ts); the slot is the latest H:00 UTC at or
 * before it.
 */
const CLAIM_DUE_SLOTS = `
  WITH due AS (
    SELECT data_source_id,
           (date_trunc('hour', $1::timestamptz AT TIME ZONE 'UTC')
             - ((extract(hour FROM $1::timestamptz AT TIME ZONE 'UTC')::int - schedule_hour + 24) % 24) * interval '1 hour'
           ) AT TIME ZONE 'UTC' AS slot
      FROM data_source
     WHERE schedule_state = 'ENABLED' AND data_source_type = 'EXTERNAL' AND schedule_hour IS NOT NULL
  )
  UPDATE data_source d SET scheduled_slot = due.slot
    FROM due
   WHERE d.data_source_id = due.data_source_id AND due.slot > coalesce(d.scheduled_slot, d.created_at)
  RETURNING d.*`;

export async function runDueSchedules(
  db: Database,
  sync: (dataSource: DataSourceRow, request: SyncRequest) => Promise<JobRow>,
  log: Logger,
  now: Date,
): Promise<number> {
  const due = await db.query<DataSourceRow>(CLAIM_DUE_SLOTS, [now]);
  for (const dataSource of due) {
    try {
      const job = await sync(dataSource, { syncMode: SYNC_MODE.SCHEDULED });
      log.info({ data_source_id: dataSource.data_source_id, job_id: job.job_id }, 'scheduled sync started');
    } catch (error) {
      log.warn({ data_source_id: dataSource.data_source_id, err: error }, 'scheduled sync did not start');
    }
  }
  return due.length;
}
