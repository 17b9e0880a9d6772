-- The registries the permit of each run names, so that a steward lists
-- only the runs that drew on a registry it looks after. Runs recorded
-- before carry none and are listed to case staff and auditors only.
ALTER TABLE linkage_runs ADD COLUMN registries text[] NOT NULL DEFAULT '{}';
