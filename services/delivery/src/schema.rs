// The diesel schema of the migrations in ../migrations.

diesel::table! {
    deliveries (id) {
        id -> Uuid,
        application_id -> Uuid,
        permit_id -> Uuid,
        project_id -> Uuid,
        recipients -> Array<Text>,
        files -> Jsonb,
        expires_on -> Date,
        created_at -> Timestamptz,
        registries -> Array<Text>,
        state -> Text,
        deleted_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    downloads (id) {
        id -> Int8,
        delivery_id -> Uuid,
        subject -> Text,
        file -> Text,
        range_start -> Nullable<Int8>,
        bytes -> Int8,
        at -> Timestamptz,
        grant_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    download_grants (id) {
        id -> Uuid,
        delivery_id -> Uuid,
        subject -> Text,
        token_sha256 -> Text,
        expires_at -> Timestamptz,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    delivery_events (id) {
        id -> Int8,
        delivery_id -> Uuid,
        event -> Text,
        actor -> Text,
        detail -> Jsonb,
        at -> Timestamptz,
    }
}

diesel::table! {
    revoked_permits (permit_id) {
        permit_id -> Uuid,
        application_id -> Uuid,
        reason -> Text,
        revoked_by -> Text,
        revoked_at -> Timestamptz,
    }
}

diesel::table! {
    custodian_key (id) {
        id -> Int4,
        secret_key -> Text,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(downloads -> deliveries (delivery_id));
diesel::joinable!(download_grants -> deliveries (delivery_id));
diesel::joinable!(delivery_events -> deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    deliveries,
    downloads,
    download_grants,
    delivery_events,
    revoked_permits,
    custodian_key,
);
