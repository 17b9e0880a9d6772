ALTER TABLE linkage_runs DROP COLUMN registries;
