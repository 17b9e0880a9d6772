// The diesel schema of the migrations in ../migrations.

diesel::table! {
    releases (id) {
        id -> Uuid,
        application_id -> Uuid,
        version -> Int4,
        permit_id -> Uuid,
        k -> Int4,
        records_suppressed -> Int8,
        rows_released -> Int8,
        dataset -> Jsonb,
        report -> Jsonb,
        created_at -> Timestamptz,
        registries -> Array<Text>,
    }
}
