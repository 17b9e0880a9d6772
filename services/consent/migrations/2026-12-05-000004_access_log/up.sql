-- Every read of personal data through the API: who read it, when, and
-- what. Rows are only ever inserted.
CREATE TABLE access_log (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    -- The `sub` claim of the caller.
    actor text NOT NULL,
    -- The caller's roles.
    roles text[] NOT NULL,
    -- `consent-history` or `exclusions`.
    action text NOT NULL,
    registry text,
    -- The hex person hash whose consent history was read.
    person_hash text,
    permit_id uuid,
    -- What the response contained, in counts.
    detail jsonb NOT NULL DEFAULT '{}'
);

CREATE FUNCTION access_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'access_log is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER access_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
