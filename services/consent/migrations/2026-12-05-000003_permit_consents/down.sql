DROP TABLE permit_consents;
ALTER TABLE permit_registries
    DROP CONSTRAINT permit_registries_consented_pair,
    DROP COLUMN consented_sha256,
    DROP COLUMN consented_count;
