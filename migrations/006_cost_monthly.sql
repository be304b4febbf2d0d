-- Monthly rollups of the cost rows (upstream's MonthlyCost), kept exact: a task's rows are summed
-- into one row per month and dimension set in the transaction that marks the task done, and the
-- rows a publish deletes (changed windows, retention) leave the rollup in that same transaction
-- (engine/rollup.ts). Like cost rows, a rollup row is seen only once its job is SUCCESS, so a
-- reader gets the rollup and the rows of one generation. Sums are numeric: the rollup of a month
-- adds up to exactly what the month's rows add up to (the query compiler sums cost rows as
-- numeric too), whatever the order. Cost.analyze and Cost.stat read it whenever a query names
-- only these columns (query/rollup.ts). `resource`, `additional_info` and `data` are left out:
-- they are near per-row and would make the rollup as large as the rows.
CREATE TABLE cost_monthly (
  cost_monthly_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id             text NOT NULL,
  data_source_id     text NOT NULL,
  domain_id          text NOT NULL,
  workspace_id       text,
  billed_year        text NOT NULL,
  billed_month       text NOT NULL,
  provider           text,
  region_code        text,
  region_key         text,
  product            text,
  usage_type         text,
  usage_unit         text,
  account_id         text,
  service_account_id text,
  project_id         text,
  tags               jsonb NOT NULL DEFAULT '{}',
  cost               numeric NOT NULL,
  usage_quantity     numeric NOT NULL,
  row_count          bigint NOT NULL
);
CREATE INDEX cost_monthly_source_month ON cost_monthly (data_source_id, billed_month);
CREATE INDEX cost_monthly_job ON cost_monthly (job_id);

CREATE VIEW published_cost_monthly AS
  SELECT m.* FROM cost_monthly m
  WHERE EXISTS (SELECT 1 FROM job j WHERE j.job_id = m.job_id AND j.status = 'SUCCESS');

-- The rows already written: every finished task's rows (a running job's finished tasks too).
INSERT INTO cost_monthly (job_id, data_source_id, domain_id, workspace_id, billed_year, billed_month, provider, region_code,
                          region_key, product, usage_type, usage_unit, account_id, service_account_id, project_id, tags,
                          cost, usage_quantity, row_count)
SELECT c.job_id, c.data_source_id, c.domain_id, c.workspace_id, c.billed_year, c.billed_month, c.provider, c.region_code,
       c.region_key, c.product, c.usage_type, c.usage_unit, c.account_id, c.service_account_id, c.project_id, c.tags,
       sum(c.cost::text::numeric), sum(c.usage_quantity::text::numeric), count(*)
  FROM cost c
  JOIN job_task t ON t.job_task_id = c.job_task_id AND t.status = 'SUCCESS'
 GROUP BY c.job_id, c.data_source_id, c.domain_id, c.workspace_id, c.billed_year, c.billed_month, c.provider, c.region_code,
          c.region_key, c.product, c.usage_type, c.usage_unit, c.account_id, c.service_account_id, c.project_id, c.tags;
