// The diesel schema of the migrations in ../migrations.

diesel::table! {
    applications (id) {
        id -> Uuid,
        project_id -> Uuid,
        applicant -> Text,
        state -> Text,
        content -> Jsonb,
        submitted_version -> Nullable<Int4>,
        handler -> Nullable<Text>,
        claim_expires_at -> Nullable<Timestamptz>,
        deadline -> Nullable<Date>,
        revision -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    application_versions (application_id, version) {
        application_id -> Uuid,
        version -> Int4,
        content -> Jsonb,
        submitted_at -> Timestamptz,
    }
}

diesel::table! {
    timeline (id) {
        id -> Int8,
        application_id -> Uuid,
        at -> Timestamptz,
        event -> Text,
        actor -> Text,
        detail -> Jsonb,
    }
}

diesel::table! {
    idempotency_keys (subject, key) {
        subject -> Text,
        key -> Text,
        application_id -> Uuid,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(application_versions -> applications (application_id));
diesel::joinable!(timeline -> applications (application_id));
diesel::allow_tables_to_appear_in_same_query!(applications, application_versions, timeline);
