-- The master key each project was first linked under, so that a rotated
-- master key leaves the pseudonyms of existing projects unchanged.
CREATE TABLE project_master_keys (
    project_id uuid PRIMARY KEY,
    master_key_id text NOT NULL,
    first_linked_at timestamptz NOT NULL DEFAULT now()
);
