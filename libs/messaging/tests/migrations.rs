#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The embedded migrations against the real PostgreSQL: reversible, and in
//! line with `schema.rs`.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use hap_messaging::MIGRATIONS;
use hap_testkit::TestDatabase;

#[derive(QueryableByName, Debug, PartialEq)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

fn columns(conn: &mut PgConnection) -> Vec<(String, String, String, String)> {
    diesel::sql_query(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name IN ('outbox', 'inbox') \
         ORDER BY table_name, ordinal_position",
    )
    .load::<Column>(conn)
    .unwrap()
    .into_iter()
    .map(|c| (c.table_name, c.column_name, c.data_type, c.is_nullable))
    .collect()
}

fn row(
    table: &str,
    column: &str,
    data_type: &str,
    nullable: &str,
) -> (String, String, String, String) {
    (
        table.to_owned(),
        column.to_owned(),
        data_type.to_owned(),
        nullable.to_owned(),
    )
}

#[test]
fn tables_match_schema_rs() {
    let db = TestDatabase::create(&[&MIGRATIONS]);
    let expected = vec![
        row("inbox", "consumer", "text", "NO"),
        row("inbox", "message_id", "uuid", "NO"),
        row("inbox", "message_type", "text", "NO"),
        row("inbox", "processed_at", "timestamp with time zone", "NO"),
        row("outbox", "position", "bigint", "NO"),
        row("outbox", "message_id", "uuid", "NO"),
        row("outbox", "message_type", "text", "NO"),
        row("outbox", "envelope", "jsonb", "NO"),
        row("outbox", "enqueued_at", "timestamp with time zone", "NO"),
        row("outbox", "published_at", "timestamp with time zone", "YES"),
    ];
    assert_eq!(columns(&mut db.conn()), expected);
}

#[test]
fn migrations_revert_and_apply_again() {
    let db = TestDatabase::create(&[&MIGRATIONS]);
    let mut conn = db.conn();

    let reverted = conn.revert_all_migrations(MIGRATIONS).unwrap();
    assert_eq!(reverted.len(), 1);
    assert!(columns(&mut conn).is_empty());

    let applied = conn.run_pending_migrations(MIGRATIONS).unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!(columns(&mut conn).len(), 10);
}

#[test]
fn messaging_migrations_sort_before_service_migrations() {
    let db = TestDatabase::create(&[&MIGRATIONS]);
    let mut conn = db.conn();
    let applied = conn.applied_migrations().unwrap();
    let versions: Vec<String> = applied.iter().map(ToString::to_string).collect();
    assert_eq!(versions, vec!["00000000000001"]);
    assert!(versions[0].as_str() < "2025-01-01-000000");
    assert!(versions[0].as_str() < "20250101000000");
}
