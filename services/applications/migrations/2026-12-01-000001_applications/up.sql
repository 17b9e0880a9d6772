CREATE TABLE applications (
    id uuid PRIMARY KEY,
    project_id uuid NOT NULL,
    applicant text NOT NULL,
    state text NOT NULL,
    -- The editable content; every submission freezes a copy in application_versions.
    content jsonb NOT NULL,
    submitted_version integer,
    handler text,
    claim_expires_at timestamptz,
    deadline date,
    -- Incremented on every change; the ETag of the resource.
    revision integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applications_queue ON applications (state, deadline, id);
CREATE INDEX applications_applicant ON applications (applicant, id);

CREATE TABLE application_versions (
    application_id uuid NOT NULL REFERENCES applications (id),
    version integer NOT NULL,
    content jsonb NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, version)
);

CREATE TABLE timeline (
    id bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id),
    at timestamptz NOT NULL DEFAULT now(),
    event text NOT NULL,
    actor text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX timeline_application ON timeline (application_id, id);

CREATE TABLE idempotency_keys (
    subject text NOT NULL,
    key text NOT NULL,
    application_id uuid NOT NULL REFERENCES applications (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);
