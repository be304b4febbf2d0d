-- The plugin and the options a job was planned with ({plugin_id, options}). Its tasks, and every
-- retry of them, call the plugin with these, whatever update-plugin does while the job runs.
-- NULL on jobs planned before this column existed: their tasks read the data source.
ALTER TABLE job ADD COLUMN plugin_info jsonb;
