DROP TABLE permits;
DROP TABLE assessments;
DROP TABLE consent_imports;
DROP TABLE consent_events;
