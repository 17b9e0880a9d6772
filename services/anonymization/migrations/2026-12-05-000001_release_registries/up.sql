-- The registries the permit of each release names, so that a steward
-- lists only the releases that drew on a registry it looks after.
-- Releases recorded before carry none and are listed to case staff and
-- auditors only.
ALTER TABLE releases ADD COLUMN registries text[] NOT NULL DEFAULT '{}';
