// The diesel schema of the migrations in ../migrations.

diesel::table! {
    consent_events (id) {
        id -> Int8,
        registry -> Text,
        person_hash -> Bytea,
        event -> Text,
        event_date -> Date,
        source -> Text,
        import_id -> Uuid,
    }
}

diesel::table! {
    consent_imports (id) {
        id -> Uuid,
        registry -> Text,
        steward -> Text,
        at -> Timestamptz,
        accepted -> Int4,
        duplicates -> Int4,
        rejected -> Int4,
    }
}

diesel::table! {
    assessments (id) {
        id -> Int8,
        application_id -> Uuid,
        version -> Int4,
        stage -> Text,
        result -> Jsonb,
        at -> Timestamptz,
    }
}

diesel::table! {
    permits (permit_id) {
        permit_id -> Uuid,
        application_id -> Uuid,
        version -> Int4,
        permit -> Jsonb,
        exclusions -> Jsonb,
        issued_at -> Timestamptz,
    }
}
