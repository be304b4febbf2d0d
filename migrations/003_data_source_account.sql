-- Account routing (upstream's DataSourceAccount): the accounts a data source's plugin reaches,
-- and the workspace each one's cost rows belong to. Kept when a sync no longer lists an
-- account (upstream never deletes them); removed with their data source.
CREATE TABLE data_source_account (
  data_source_id text NOT NULL REFERENCES data_source (data_source_id) ON DELETE CASCADE,
  account_id     text NOT NULL,
  name           text NOT NULL DEFAULT '',
  -- true once a successful job listed the account in synced_accounts
  is_sync        boolean NOT NULL DEFAULT false,
  -- the workspace the account's rows are routed to; NULL keeps them domain-level
  workspace_id   text,
  domain_id      text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (data_source_id, account_id)
);
CREATE INDEX data_source_account_scope ON data_source_account (domain_id, workspace_id);

-- The account a routed row was matched by (the value at the plugin's account_match_key).
CREATE INDEX cost_account ON cost (data_source_id, account_id) WHERE account_id IS NOT NULL;

-- DataSourceInfo's counts: the data source's accounts, and the workspaces they are routed to.
ALTER TABLE data_source ADD COLUMN data_source_account_count integer NOT NULL DEFAULT 0;
ALTER TABLE data_source ADD COLUMN connected_workspace_count integer NOT NULL DEFAULT 0;
