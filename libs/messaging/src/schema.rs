//! Diesel table definitions for the tables created by [`MIGRATIONS`](crate::MIGRATIONS).
//!
//! Written by hand in the form `diesel print-schema` produces for
//! `migrations/00000000000001_messaging/up.sql`. The `migrations` test
//! checks the columns against a migrated database.

diesel::table! {
    outbox (position) {
        position -> Int8,
        message_id -> Uuid,
        message_type -> Text,
        envelope -> Jsonb,
        enqueued_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    inbox (consumer, message_id) {
        consumer -> Text,
        message_id -> Uuid,
        message_type -> Text,
        processed_at -> Timestamptz,
    }
}

diesel::allow_tables_to_appear_in_same_query!(outbox, inbox);
