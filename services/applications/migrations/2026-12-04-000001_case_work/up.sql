-- The deadline clock: the statutory limit in working days counts from
-- `clock_started_on`, and the working days a case spent returned to the
-- applicant are added to it.
ALTER TABLE applications
    ADD COLUMN registries text[] NOT NULL DEFAULT '{}',
    ADD COLUMN submitted_at timestamptz,
    ADD COLUMN clock_started_on date,
    ADD COLUMN limit_working_days integer,
    ADD COLUMN paused_working_days integer NOT NULL DEFAULT 0,
    ADD COLUMN returned_on date,
    ADD COLUMN decided_at timestamptz;
CREATE INDEX applications_registries ON applications USING gin (registries);

-- Case handlers' internal notes, never shown to applicants.
CREATE TABLE notes (
    id bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id),
    at timestamptz NOT NULL DEFAULT now(),
    author text NOT NULL,
    body text NOT NULL
);
CREATE INDEX notes_application ON notes (application_id, id);

-- Every command on an application: who, when, under which role and what
-- changed. Rows are only ever inserted.
CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id),
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    role text NOT NULL,
    action text NOT NULL,
    from_state text,
    to_state text,
    changes jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_application ON audit_log (application_id, id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
