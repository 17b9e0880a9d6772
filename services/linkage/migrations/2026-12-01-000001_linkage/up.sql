-- One row per completed linkage run; the report holds counts only, never
-- identity numbers.
CREATE TABLE linkage_runs (
    id uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    version integer NOT NULL,
    permit_id uuid NOT NULL UNIQUE,
    project_id uuid NOT NULL,
    cohort_size bigint NOT NULL,
    dataset jsonb NOT NULL,
    report jsonb NOT NULL,
    duration_ms bigint NOT NULL,
    finished_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX linkage_runs_application ON linkage_runs (application_id, finished_at);
