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
        registries -> Array<Text>,
        submitted_at -> Nullable<Timestamptz>,
        clock_started_on -> Nullable<Date>,
        limit_working_days -> Nullable<Int4>,
        paused_working_days -> Int4,
        returned_on -> Nullable<Date>,
        decided_at -> Nullable<Timestamptz>,
        approved_version -> Nullable<Int4>,
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

diesel::table! {
    notes (id) {
        id -> Int8,
        application_id -> Uuid,
        at -> Timestamptz,
        author -> Text,
        body -> Text,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Int8,
        application_id -> Uuid,
        at -> Timestamptz,
        actor -> Text,
        role -> Text,
        action -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        changes -> Jsonb,
    }
}

diesel::joinable!(application_versions -> applications (application_id));
diesel::joinable!(timeline -> applications (application_id));
diesel::joinable!(notes -> applications (application_id));
diesel::joinable!(audit_log -> applications (application_id));
diesel::allow_tables_to_appear_in_same_query!(
    applications,
    application_versions,
    timeline,
    notes,
    audit_log
);

diesel::table! {
    webhook_subscriptions (id) {
        id -> Uuid,
        owner -> Text,
        url -> Text,
        active -> Bool,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Int8,
        subscription_id -> Uuid,
        event -> Jsonb,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        delivered_at -> Nullable<Timestamptz>,
        last_error -> Nullable<Text>,
    }
}

diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::allow_tables_to_appear_in_same_query!(webhook_deliveries, webhook_subscriptions);

diesel::table! {
    attachments (id) {
        id -> Uuid,
        application_id -> Uuid,
        kind -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        object_key -> Text,
        uploaded_by -> Text,
        uploaded_at -> Timestamptz,
        removed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    version_attachments (application_id, version, attachment_id) {
        application_id -> Uuid,
        version -> Int4,
        attachment_id -> Uuid,
    }
}

diesel::joinable!(attachments -> applications (application_id));
diesel::joinable!(version_attachments -> attachments (attachment_id));
diesel::allow_tables_to_appear_in_same_query!(attachments, version_attachments, applications);
