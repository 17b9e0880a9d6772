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
        scope -> Text,
        recorded_at -> Timestamptz,
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

diesel::table! {
    permit_registries (permit_id, registry) {
        permit_id -> Uuid,
        registry -> Text,
        excluded_count -> Int8,
        excluded_sha256 -> Text,
        consented_count -> Nullable<Int8>,
        consented_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    permit_exclusions (permit_id, registry, person_hash) {
        permit_id -> Uuid,
        registry -> Text,
        person_hash -> Bytea,
    }
}

diesel::table! {
    permit_consents (permit_id, registry, person_hash) {
        permit_id -> Uuid,
        registry -> Text,
        person_hash -> Bytea,
    }
}

diesel::table! {
    access_log (id) {
        id -> Int8,
        at -> Timestamptz,
        actor -> Text,
        roles -> Array<Text>,
        action -> Text,
        registry -> Nullable<Text>,
        person_hash -> Nullable<Text>,
        permit_id -> Nullable<Uuid>,
        detail -> Jsonb,
    }
}

diesel::joinable!(permit_registries -> permits (permit_id));

diesel::allow_tables_to_appear_in_same_query!(
    consent_events,
    consent_imports,
    assessments,
    permits,
    permit_registries,
    permit_exclusions,
    permit_consents,
    access_log,
);
