DROP TRIGGER audit_log_append_only ON audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE audit_log;
DROP TABLE notes;
DROP INDEX applications_registries;
ALTER TABLE applications
    DROP COLUMN registries,
    DROP COLUMN submitted_at,
    DROP COLUMN clock_started_on,
    DROP COLUMN limit_working_days,
    DROP COLUMN paused_working_days,
    DROP COLUMN returned_on,
    DROP COLUMN decided_at;
