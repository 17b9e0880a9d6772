-- The persons with a valid consent, per permit and consent-based registry.
-- Linkage keeps only these persons' data from such a registry, so a person
-- the consent service has no record of is left out too.
ALTER TABLE permit_registries
    ADD COLUMN consented_count bigint,
    ADD COLUMN consented_sha256 text,
    ADD CONSTRAINT permit_registries_consented_pair
        CHECK ((consented_count IS NULL) = (consented_sha256 IS NULL));

CREATE TABLE permit_consents (
    permit_id uuid NOT NULL,
    registry text NOT NULL,
    person_hash bytea NOT NULL,
    PRIMARY KEY (permit_id, registry, person_hash),
    FOREIGN KEY (permit_id, registry) REFERENCES permit_registries (permit_id, registry)
);
