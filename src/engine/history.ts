import type { Database } from '../store/database.js';

/**
 * Job history is kept for a while, not for ever: a year of hourly syncs is 8,760 jobs (and their
 * tasks) per data source, and the job list and the metrics scrape should cost the same in its
 * last month as in its first. Finished jobs older than `COSTSYNC_JOB_HISTORY_DAYS` (default 90;
 * 0 keeps all) are deleted with their tasks, in small batches, except:
 *   - a job whose rows are still published (rows of a job are visible only while its job row
 *     says SUCCESS): it goes once a later sync has replaced all of them;
 *   - the newest finished job of each data source, so "how did the last sync end" always has an
 *     answer, however long ago it ran.
 * On the embedded database, which has no autovacuum, the engine vacuums these tables itself once
 * an hour, so deleted jobs and replaced cost generations leave room for new ones instead of
 * growing the data directory.
 */
const PRUNE_BATCH = `
  WITH doomed AS (
    SELECT j.job_id FROM job j
     WHERE j.status <> 'IN_PROGRESS' AND j.finished_at < $1
       AND NOT EXISTS (SELECT 1 FROM cost c WHERE c.job_id = j.job_id)
       AND NOT EXISTS (SELECT 1 FROM cost_monthly m WHERE m.job_id = j.job_id)
       AND EXISTS (SELECT 1 FROM job newer
                    WHERE newer.data_source_id = j.data_source_id AND newer.status <> 'IN_PROGRESS'
                      AND newer.created_at > j.created_at)
     ORDER BY j.finished_at
     LIMIT $2
  )
  DELETE FROM job WHERE job_id IN (SELECT job_id FROM doomed)
  RETURNING job_id`;

const BATCH = 500;
/** Batches one call deletes at most; the rest waits for the next call (history backlog after an upgrade). */
const MAX_BATCHES = 40;
const DAY_MS = 86_400_000;

/** Deletes finished jobs (and, by cascade, their tasks) older than `days` before `now`; returns how many. */
export async function pruneHistory(db: Database, days: number, now: Date): Promise<number> {
  if (days <= 0) return 0;
  const before = new Date(now.getTime() - days * DAY_MS);
  let deleted = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const gone = await db.query(PRUNE_BATCH, [before, BATCH]);
    deleted += gone.length;
    if (gone.length < BATCH) break;
  }
  return deleted;
}

/** The tables whose rows the engine deletes: jobs and tasks (history), costs and rollups (replaced generations). */
const VACUUM = 'VACUUM job, job_task, cost, cost_monthly';

/** On a database without autovacuum (PGlite), what autovacuum would do for the tables the engine deletes from. */
export async function vacuumIfEmbedded(db: Database): Promise<void> {
  if (db.capabilities.autovacuum) return;
  await db.exec(VACUUM);
}
