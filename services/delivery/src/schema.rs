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
    }
}

diesel::joinable!(downloads -> deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(deliveries, downloads);
