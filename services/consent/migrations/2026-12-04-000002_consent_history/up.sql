-- Consent history with scopes and opt-outs of secondary use. A consent
-- event is `given`, `changed` (a new scope) or `withdrawn`; an opt-out
-- event is `opted-out` or `opt-out-revoked`.
ALTER TABLE consent_events DROP CONSTRAINT consent_events_event_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_event_check
    CHECK (event IN ('given', 'changed', 'withdrawn', 'opted-out', 'opt-out-revoked'));
-- The data-use scope of the consent: `GRU`, `HMB` or `DS:<ICD-10 prefixes>`.
ALTER TABLE consent_events ADD COLUMN scope text NOT NULL DEFAULT 'GRU';
ALTER TABLE consent_events ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE consent_events
    DROP CONSTRAINT consent_events_registry_person_hash_event_event_date_key;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_unique_event
    UNIQUE (registry, person_hash, event, scope, event_date);
CREATE INDEX consent_events_import ON consent_events (import_id);

-- Per permit and registry, the persons left out, frozen when the permit is
-- issued, with their count and SHA-256 digest.
CREATE TABLE permit_registries (
    permit_id uuid NOT NULL REFERENCES permits (permit_id),
    registry text NOT NULL,
    excluded_count bigint NOT NULL,
    excluded_sha256 text NOT NULL,
    PRIMARY KEY (permit_id, registry)
);

CREATE TABLE permit_exclusions (
    permit_id uuid NOT NULL,
    registry text NOT NULL,
    person_hash bytea NOT NULL,
    PRIMARY KEY (permit_id, registry, person_hash),
    FOREIGN KEY (permit_id, registry) REFERENCES permit_registries (permit_id, registry)
);
CREATE INDEX permit_exclusions_person ON permit_exclusions (registry, person_hash);
