#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Scans every column of every table in the consent database, after
//! imports, a permit and a withdrawal event, for identity numbers.

mod common;

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Nullable, Text};
use hap_contracts::criteria::Registry;
use hap_contracts::events;
use hap_messaging::Envelope;
use uuid::Uuid;

use common::numbers::{identity_numbers_in, many, with_wrong_check_digit};
use common::payloads::{approved, request, research_purpose};
use common::{TestService, consent_csv};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
}

#[derive(QueryableByName)]
struct TextValue {
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

#[derive(QueryableByName)]
struct BytesValue {
    #[diesel(sql_type = Nullable<Bytea>)]
    value: Option<Vec<u8>>,
}

/// Returns every value of one column as bytes: the raw bytes of a `bytea`
/// column, the text form of any other.
fn values(conn: &mut PgConnection, column: &Column) -> Vec<Vec<u8>> {
    let (table, name) = (&column.table_name, &column.column_name);
    if column.data_type == "bytea" {
        let rows: Vec<BytesValue> =
            diesel::sql_query(format!("SELECT \"{name}\" AS value FROM \"{table}\""))
                .load(conn)
                .unwrap();
        rows.into_iter().filter_map(|row| row.value).collect()
    } else {
        let rows: Vec<TextValue> =
            diesel::sql_query(format!("SELECT \"{name}\"::text AS value FROM \"{table}\""))
                .load(conn)
                .unwrap();
        rows.into_iter()
            .filter_map(|row| row.value.map(String::into_bytes))
            .collect()
    }
}

fn row_count(conn: &mut PgConnection, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let count: Count = diesel::sql_query(format!("SELECT count(*) AS count FROM \"{table}\""))
        .get_result(conn)
        .unwrap();
    count.count
}

#[actix_web::test]
async fn consent_database_holds_no_identity_number() {
    let mut service = TestService::start().await;
    let numbers = many(500);
    let mut rows: Vec<String> = numbers
        .iter()
        .enumerate()
        .map(|(index, number)| {
            let event = ["given", "withdrawn", "opted-out"][index % 3];
            format!("{number},{event},2021-01-01,helsenorge")
        })
        .collect();
    rows.push(format!(
        "{},given,2021-01-01,helsenorge",
        with_wrong_check_digit(&numbers[0])
    ));
    rows.push(format!("{},revoked,2021-01-01,helsenorge", numbers[1]));
    service.import_quality(&consent_csv(&rows)).await;

    let application_id = Uuid::now_v7();
    let payload = approved(
        application_id,
        request(&[Registry::Cancer, Registry::Quality], &["C18"]),
        research_purpose(false),
    );
    let envelope =
        Envelope::new(events::APPLICATION_APPROVED, 1, application_id, &payload).unwrap();
    service.publish(&envelope).await;
    service
        .events
        .wait_for(events::LEGAL_BASIS_CLEARED, application_id)
        .await;
    service
        .import_quality(&consent_csv(&[format!(
            "{},withdrawn,2024-01-01,e-mail",
            numbers[0]
        )]))
        .await;

    let mut conn = service.conn();
    for table in ["consent_events", "permit_exclusions", "permits", "outbox"] {
        assert!(
            row_count(&mut conn, table) > 0,
            "{table} is empty, so the scan proves little"
        );
    }
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name,
                data_type::text AS data_type
         FROM information_schema.columns
         WHERE table_schema = 'public'
         ORDER BY table_name, ordinal_position",
    )
    .load(&mut conn)
    .unwrap();
    assert!(columns.len() > 20, "{} columns", columns.len());

    let ascii_hex: Vec<String> = numbers
        .iter()
        .map(|number| hap_kit::store::hex(number.as_bytes()))
        .collect();
    for column in &columns {
        let place = format!("{}.{}", column.table_name, column.column_name);
        // Values joined by a newline, so no run of digits spans two values.
        let joined = values(&mut conn, column).join(&b'\n');
        let found = identity_numbers_in(&joined);
        assert!(found.is_empty(), "{place} holds identity numbers {found:?}");
        let text = String::from_utf8_lossy(&joined);
        for (number, hex) in numbers.iter().zip(&ascii_hex) {
            assert!(
                !text.contains(number.as_str()),
                "{place} holds an imported number"
            );
            assert!(
                !text.contains(hex.as_str()),
                "{place} holds an imported number as hex"
            );
        }
    }
    service.stop().await;
}
