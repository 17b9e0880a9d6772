// The diesel schema of the migrations in ../migrations.

diesel::table! {
    linkage_runs (id) {
        id -> Uuid,
        application_id -> Uuid,
        version -> Int4,
        permit_id -> Uuid,
        project_id -> Uuid,
        cohort_size -> Int8,
        dataset -> Jsonb,
        report -> Jsonb,
        duration_ms -> Int8,
        finished_at -> Timestamptz,
        registries -> Array<Text>,
    }
}

diesel::table! {
    project_master_keys (project_id) {
        project_id -> Uuid,
        master_key_id -> Text,
        first_linked_at -> Timestamptz,
    }
}
