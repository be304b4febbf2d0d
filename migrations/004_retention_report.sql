-- What retention removed when a job was published, so a sync that loads history older than the
-- retention period says so instead of ending SUCCESS with rows silently gone. NULL: none.
ALTER TABLE job ADD COLUMN retention_deleted_count integer;
-- The first billed month retention kept (YYYY-MM); NULL when everything is kept.
ALTER TABLE job ADD COLUMN retained_from text;
ALTER TABLE job_task ADD COLUMN retention_deleted_count integer;

-- Months of cost rows this data source keeps; NULL: the server's COSTSYNC_RETENTION_MONTHS, 0: all.
ALTER TABLE data_source ADD COLUMN retention_months integer CHECK (retention_months BETWEEN 0 AND 1200);
