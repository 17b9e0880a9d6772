ALTER TABLE applications DROP COLUMN approved_version;
