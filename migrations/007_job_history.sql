-- Finished jobs by age: what the job-history retention (engine/history.ts) deletes first.
CREATE INDEX job_finished ON job (finished_at) WHERE status <> 'IN_PROGRESS';
