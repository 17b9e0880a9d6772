DROP TABLE custodian_key;
DROP TABLE revoked_permits;
DROP TABLE delivery_events;
ALTER TABLE downloads DROP COLUMN grant_id;
DROP TABLE download_grants;
DROP INDEX deliveries_available_until;
ALTER TABLE deliveries DROP COLUMN deleted_at;
ALTER TABLE deliveries DROP COLUMN state;
ALTER TABLE deliveries DROP COLUMN registries;
