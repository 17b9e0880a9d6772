-- One row per delivery: the encrypted package of one permit.
CREATE TABLE deliveries (
    id uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    permit_id uuid NOT NULL UNIQUE,
    project_id uuid NOT NULL,
    -- The `sub` of every person the permit names as a recipient.
    recipients text[] NOT NULL,
    -- Name, size and SHA-256 of every encrypted file.
    files jsonb NOT NULL,
    expires_on date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_application ON deliveries (application_id);

-- Every download: who, when, which file, how many bytes were sent.
CREATE TABLE downloads (
    id bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES deliveries (id),
    subject text NOT NULL,
    file text NOT NULL,
    range_start bigint,
    bytes bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX downloads_delivery ON downloads (delivery_id, at);
