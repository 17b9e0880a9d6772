DROP TABLE idempotency_keys;
DROP TABLE timeline;
DROP TABLE application_versions;
DROP TABLE applications;
