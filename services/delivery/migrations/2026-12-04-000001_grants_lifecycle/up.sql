-- The registries a delivery draws on, whose stewards may read its access log.
ALTER TABLE deliveries ADD COLUMN registries text[] NOT NULL DEFAULT '{}';
-- `available` until the objects are deleted at the permit's end date
-- (`expired`) or on its revocation (`revoked`).
ALTER TABLE deliveries ADD COLUMN state text NOT NULL DEFAULT 'available'
    CHECK (state IN ('available', 'expired', 'revoked'));
ALTER TABLE deliveries ADD COLUMN deleted_at timestamptz;
CREATE INDEX deliveries_available_until ON deliveries (expires_on) WHERE state = 'available';

-- A short-lived right of one recipient to download the files of a delivery.
-- Only the SHA-256 of the grant token is stored.
CREATE TABLE download_grants (
    id uuid PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES deliveries (id),
    subject text NOT NULL,
    token_sha256 text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX download_grants_delivery ON download_grants (delivery_id);

ALTER TABLE downloads ADD COLUMN grant_id uuid REFERENCES download_grants (id);

-- What happened to a delivery after it was created: recipients added,
-- objects deleted on expiry or revocation.
CREATE TABLE delivery_events (
    id bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES deliveries (id),
    event text NOT NULL,
    actor text NOT NULL,
    detail jsonb NOT NULL DEFAULT '{}',
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX delivery_events_delivery ON delivery_events (delivery_id, at);

-- Revoked permits: a release that arrives after its permit was revoked is
-- not delivered.
CREATE TABLE revoked_permits (
    permit_id uuid PRIMARY KEY,
    application_id uuid NOT NULL,
    reason text NOT NULL,
    revoked_by text NOT NULL,
    revoked_at timestamptz NOT NULL
);

-- The custodian's Crypt4GH secret key when none is configured: one row.
CREATE TABLE custodian_key (
    id integer PRIMARY KEY CHECK (id = 1),
    secret_key text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
