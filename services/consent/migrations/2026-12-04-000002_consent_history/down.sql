DROP TABLE permit_exclusions;
DROP TABLE permit_registries;
DROP INDEX consent_events_import;
DELETE FROM consent_events WHERE event NOT IN ('given', 'withdrawn');
ALTER TABLE consent_events DROP CONSTRAINT consent_events_unique_event;
DELETE FROM consent_events a USING consent_events b
    WHERE a.registry = b.registry AND a.person_hash = b.person_hash
      AND a.event = b.event AND a.event_date = b.event_date AND a.id > b.id;
ALTER TABLE consent_events
    ADD CONSTRAINT consent_events_registry_person_hash_event_event_date_key
    UNIQUE (registry, person_hash, event, event_date);
ALTER TABLE consent_events DROP COLUMN recorded_at;
ALTER TABLE consent_events DROP COLUMN scope;
ALTER TABLE consent_events DROP CONSTRAINT consent_events_event_check;
ALTER TABLE consent_events ADD CONSTRAINT consent_events_event_check
    CHECK (event IN ('given', 'withdrawn'));
