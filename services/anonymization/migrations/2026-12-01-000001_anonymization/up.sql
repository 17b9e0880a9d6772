-- One row per released dataset, with the disclosure-control report.
CREATE TABLE releases (
    id uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    version integer NOT NULL,
    permit_id uuid NOT NULL UNIQUE,
    k integer NOT NULL,
    records_suppressed bigint NOT NULL,
    rows_released bigint NOT NULL,
    dataset jsonb NOT NULL,
    report jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX releases_application ON releases (application_id, created_at);
