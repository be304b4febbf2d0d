-- costsync schema, version 1. Plain PostgreSQL: the same file runs on PGlite and on a server.

-- A data source names a plugin; its secret is stored encrypted (AES-256-GCM) and never returned.
CREATE TABLE data_source (
  data_source_id            text PRIMARY KEY,
  name                      text NOT NULL,
  data_source_type          text NOT NULL CHECK (data_source_type IN ('LOCAL', 'EXTERNAL')),
  provider                  text,
  secret_type               text NOT NULL DEFAULT 'MANUAL'
                            CHECK (secret_type IN ('MANUAL', 'USE_SERVICE_ACCOUNT_SECRET')),
  secret_filter             jsonb,
  permissions               jsonb,
  plugin_info               jsonb,
  secret_data_encrypted     text,
  template                  jsonb NOT NULL DEFAULT '{}',
  tags                      jsonb NOT NULL DEFAULT '{}',
  schedule_state            text NOT NULL DEFAULT 'ENABLED' CHECK (schedule_state IN ('ENABLED', 'DISABLED')),
  schedule_hour             integer CHECK (schedule_hour BETWEEN 0 AND 23),
  -- The last hourly slot the scheduler started a sync for; the next due slot is computed from it,
  -- so a restart never skips an hour and several schedulers never start the same slot twice.
  scheduled_slot            timestamptz,
  cost_tag_keys             text[] NOT NULL DEFAULT '{}',
  cost_additional_info_keys text[] NOT NULL DEFAULT '{}',
  cost_data_keys            text[] NOT NULL DEFAULT '{}',
  resource_group            text NOT NULL CHECK (resource_group IN ('DOMAIN', 'WORKSPACE')),
  workspace_id              text NOT NULL,
  domain_id                 text NOT NULL,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now(),
  last_synchronized_at      timestamptz,
  CONSTRAINT data_source_name_unique UNIQUE (domain_id, name)
);
CREATE INDEX data_source_scope ON data_source (domain_id, workspace_id);

CREATE TABLE job (
  job_id          text PRIMARY KEY,
  status          text NOT NULL CHECK (status IN ('IN_PROGRESS', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED')),
  options         jsonb NOT NULL DEFAULT '{}',
  error_code      text,
  error_message   text,
  total_tasks     integer NOT NULL DEFAULT 0,
  remained_tasks  integer NOT NULL DEFAULT 0,
  changed         jsonb NOT NULL DEFAULT '[]',
  synced_accounts jsonb NOT NULL DEFAULT '[]',
  -- false while the plugin's get_tasks is being asked; true once the tasks exist.
  planned         boolean NOT NULL DEFAULT false,
  deadline_at     timestamptz NOT NULL,
  resource_group  text NOT NULL,
  workspace_id    text NOT NULL,
  domain_id       text NOT NULL,
  data_source_id  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  finished_at     timestamptz
);
-- One running job per data source, enforced by the database: a second sync fails on insert.
CREATE UNIQUE INDEX job_one_running_per_data_source ON job (data_source_id) WHERE status = 'IN_PROGRESS';
CREATE INDEX job_scope_created ON job (domain_id, created_at DESC);
CREATE INDEX job_data_source ON job (data_source_id, created_at DESC);

-- The job_task table is the work queue: workers claim PENDING rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE job_task (
  job_task_id    text PRIMARY KEY,
  status         text NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED')),
  options        jsonb NOT NULL DEFAULT '{}',
  changed        jsonb,
  created_count  integer NOT NULL DEFAULT 0,
  error_code     text,
  error_message  text,
  seq            integer NOT NULL,
  attempt        integer NOT NULL DEFAULT 0,
  lease_owner    text,
  lease_until    timestamptz,
  available_at   timestamptz NOT NULL DEFAULT now(),
  progressed_at  timestamptz,
  -- Keys seen in the task's rows ({tags, additional_info, data}); merged into the data source at close.
  cost_keys      jsonb,
  resource_group text NOT NULL,
  workspace_id   text NOT NULL,
  domain_id      text NOT NULL,
  job_id         text NOT NULL REFERENCES job (job_id) ON DELETE CASCADE,
  data_source_id text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz
);
CREATE INDEX job_task_pending ON job_task (available_at, created_at) WHERE status = 'PENDING';
CREATE INDEX job_task_running ON job_task (lease_until) WHERE status = 'IN_PROGRESS';
CREATE INDEX job_task_job ON job_task (job_id, seq);
CREATE INDEX job_task_scope_created ON job_task (domain_id, created_at DESC);

-- Cost rows. A row is visible to readers only once its job is SUCCESS (see published_cost):
-- an unfinished, cancelled or failed sync is never seen.
CREATE TABLE cost (
  cost_id            text NOT NULL,
  cost               double precision NOT NULL DEFAULT 0,
  usage_quantity     double precision NOT NULL DEFAULT 0,
  usage_unit         text,
  provider           text,
  region_code        text,
  region_key         text,
  product            text,
  usage_type         text,
  resource           text,
  tags               jsonb NOT NULL DEFAULT '{}',
  additional_info    jsonb NOT NULL DEFAULT '{}',
  data               jsonb NOT NULL DEFAULT '{}',
  account_id         text,
  service_account_id text,
  project_id         text,
  data_source_id     text NOT NULL,
  job_id             text NOT NULL,
  job_task_id        text NOT NULL,
  workspace_id       text,
  domain_id          text NOT NULL,
  billed_year        text NOT NULL,
  billed_month       text NOT NULL,
  billed_date        date NOT NULL,
  CONSTRAINT cost_pkey PRIMARY KEY (cost_id)
);
CREATE INDEX cost_job_task ON cost (job_id, job_task_id);
CREATE INDEX cost_data_source_month ON cost (data_source_id, billed_month);

CREATE VIEW published_cost AS
  SELECT c.* FROM cost c
  WHERE EXISTS (SELECT 1 FROM job j WHERE j.job_id = c.job_id AND j.status = 'SUCCESS');
