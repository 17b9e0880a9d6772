-- The version the latest approval covers; an amendment is reviewed against it.
ALTER TABLE applications ADD COLUMN approved_version integer;
