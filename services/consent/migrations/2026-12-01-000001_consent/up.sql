-- Consent events per person, registry and scope, under a keyed hash of the
-- identity number (HMAC-SHA256 with the platform key), never the number itself.
CREATE TABLE consent_events (
    id bigserial PRIMARY KEY,
    registry text NOT NULL,
    person_hash bytea NOT NULL,
    event text NOT NULL CHECK (event IN ('given', 'withdrawn')),
    event_date date NOT NULL,
    source text NOT NULL,
    import_id uuid NOT NULL,
    UNIQUE (registry, person_hash, event, event_date)
);
CREATE INDEX consent_events_person ON consent_events (registry, person_hash, event_date, id);

CREATE TABLE consent_imports (
    id uuid PRIMARY KEY,
    registry text NOT NULL,
    steward text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    accepted integer NOT NULL,
    duplicates integer NOT NULL,
    rejected integer NOT NULL
);

CREATE TABLE assessments (
    id bigserial PRIMARY KEY,
    application_id uuid NOT NULL,
    version integer NOT NULL,
    stage text NOT NULL,
    result jsonb NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX assessments_application ON assessments (application_id, id);

CREATE TABLE permits (
    permit_id uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    version integer NOT NULL,
    permit jsonb NOT NULL,
    exclusions jsonb NOT NULL,
    issued_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (application_id, version)
);
