-- Documents attached to an application. The file is an object in the
-- attachment store under `object_key`, a generated key; `file_name` is the
-- uploader's name for it, kept for display and download only.
CREATE TABLE attachments (
    id uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications (id),
    kind text NOT NULL,
    file_name text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    -- Lowercase hex SHA-256 of the file.
    sha256 text NOT NULL,
    object_key text NOT NULL UNIQUE,
    uploaded_by text NOT NULL,
    uploaded_at timestamptz NOT NULL DEFAULT now(),
    -- Set when the applicant removed it from the draft while a submitted
    -- version still refers to it; such a row and its object stay.
    removed_at timestamptz
);
CREATE INDEX attachments_application ON attachments (application_id, uploaded_at);

-- The attachments each submitted version refers to, frozen at submission.
CREATE TABLE version_attachments (
    application_id uuid NOT NULL,
    version integer NOT NULL,
    attachment_id uuid NOT NULL REFERENCES attachments (id),
    PRIMARY KEY (application_id, version, attachment_id),
    FOREIGN KEY (application_id, version) REFERENCES application_versions (application_id, version)
);
CREATE INDEX version_attachments_attachment ON version_attachments (attachment_id);
