ALTER TABLE releases DROP COLUMN registries;
