#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consent imports row by row: counts, rejected lines and their reasons,
//! duplicates, and the keyed hashes stored in place of identity numbers.

mod common;

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{Bytea, Text};
use hap_consent::schema::{consent_events, consent_imports};
use hap_kit::store::hex;
use serde_json::{Value, json};

use common::numbers::{Numbers, person_hash, with_wrong_check_digit};
use common::{TestService, consent_csv};

/// A file with two new rows, a repeat of the first row, and three invalid
/// rows, with a blank line that still counts as a line of the file.
struct MixedFile {
    csv: String,
    /// The valid numbers, in the order of their rows.
    valid: Vec<String>,
    /// Every number in the file, valid or not.
    all: Vec<String>,
}

fn mixed_file() -> MixedFile {
    let mut numbers = Numbers::new();
    let given = numbers.issue();
    let invalid = with_wrong_check_digit(&numbers.issue());
    let unknown_event = numbers.issue();
    let bad_date = numbers.issue();
    let withdrawn = numbers.issue();
    let rows = [
        format!("{given},given,2020-01-01,paper-form"), // line 2
        format!("{invalid},given,2020-01-01,paper-form"), // line 3
        String::new(),                                  // line 4
        format!("{unknown_event},revoked,2020-01-01,paper-form"), // line 5
        format!("{bad_date},given,2020-13-45,paper-form"), // line 6
        format!("{withdrawn},withdrawn,2021-02-03,e-mail"), // line 7
        format!("{given},given,2020-01-01,paper-form"), // line 8
    ];
    MixedFile {
        csv: consent_csv(&rows),
        valid: vec![given.clone(), withdrawn.clone()],
        all: vec![given, invalid, unknown_event, bad_date, withdrawn],
    }
}

fn rejected_lines(body: &Value) -> Vec<u64> {
    body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["line"].as_u64().unwrap())
        .collect()
}

fn reason_of(body: &Value, line: u64) -> String {
    body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["line"] == json!(line))
        .map(|row| row["reason"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no rejection for line {line}: {body}"))
}

#[actix_web::test]
async fn import_counts_rows_by_outcome() {
    let service = TestService::start().await;
    let file = mixed_file();

    let reply = service.import_quality(&file.csv).await;

    assert_eq!(reply.body["registry"], "quality");
    assert_eq!(reply.body["accepted"], 2);
    assert_eq!(reply.body["duplicates"], 1);
    assert_eq!(rejected_lines(&reply.body), [3, 5, 6]);
    let invalid_id = reason_of(&reply.body, 3);
    assert!(invalid_id.starts_with("invalid person_id"), "{invalid_id}");
    assert!(invalid_id.contains("checksum"), "{invalid_id}");
    let unknown_event = reason_of(&reply.body, 5);
    assert!(unknown_event.contains("`revoked`"), "{unknown_event}");
    let bad_date = reason_of(&reply.body, 6);
    assert!(bad_date.contains("`2020-13-45`"), "{bad_date}");

    let counts: (i32, i32, i32) = consent_imports::table
        .select((
            consent_imports::accepted,
            consent_imports::duplicates,
            consent_imports::rejected,
        ))
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(counts, (2, 1, 3));
    service.stop().await;
}

#[actix_web::test]
async fn import_response_never_contains_identity_number() {
    let service = TestService::start().await;
    let file = mixed_file();

    let reply = service.import_quality(&file.csv).await;

    let text = reply.body.to_string();
    for number in &file.all {
        assert!(
            !text.contains(number.as_str()),
            "the response contains the identity number {}*****",
            &number[..6]
        );
    }
    service.stop().await;
}

#[actix_web::test]
async fn misplaced_identity_number_never_echoed() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let person = numbers.issue();
    let misplaced = numbers.issue();
    let csv = consent_csv(&[
        format!("{person},{misplaced},2020-01-01,paper-form"),
        format!("{person},given,{misplaced},paper-form"),
    ]);

    let reply = service.import_quality(&csv).await;

    assert_eq!(rejected_lines(&reply.body), [2, 3]);
    let event = reason_of(&reply.body, 2);
    assert!(event.starts_with("event "), "{event}");
    assert!(
        !event.contains(misplaced.as_str()),
        "line 2 echoes the number"
    );
    let date = reason_of(&reply.body, 3);
    assert!(date.starts_with("event_date "), "{date}");
    assert!(
        !date.contains(misplaced.as_str()),
        "line 3 echoes the number"
    );
    service.stop().await;
}

#[actix_web::test]
async fn import_twice_counts_duplicates() {
    let service = TestService::start().await;
    let file = mixed_file();
    service.import_quality(&file.csv).await;

    let reply = service.import_quality(&file.csv).await;

    assert_eq!(reply.body["accepted"], 0);
    assert_eq!(reply.body["duplicates"], 3);
    assert_eq!(rejected_lines(&reply.body), [3, 5, 6]);
    let stored: i64 = consent_events::table
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(stored, 2);
    service.stop().await;
}

#[derive(QueryableByName)]
struct StoredRow {
    /// The whole row in PostgreSQL's text form (`bytea` as `\x` hex).
    #[diesel(sql_type = Text)]
    text: String,
    #[diesel(sql_type = Bytea)]
    person_hash: Vec<u8>,
}

#[actix_web::test]
async fn database_never_contains_identity_number() {
    let service = TestService::start().await;
    let file = mixed_file();
    service.import_quality(&file.csv).await;

    let rows: Vec<StoredRow> =
        diesel::sql_query("SELECT e::text AS text, e.person_hash FROM consent_events e")
            .load(&mut service.conn())
            .unwrap();

    assert_eq!(rows.len(), 2);
    for number in &file.all {
        let masked = format!("{}*****", &number[..6]);
        let ascii_hex = hex(number.as_bytes());
        for row in &rows {
            assert!(!row.text.contains(number.as_str()), "row holds {masked}");
            assert!(
                !row.text.contains(&ascii_hex),
                "row holds {masked} as bytes"
            );
            assert!(
                !row.person_hash
                    .windows(number.len())
                    .any(|window| window == number.as_bytes()),
                "person_hash holds {masked}"
            );
        }
    }
    let stored: BTreeSet<Vec<u8>> = rows.into_iter().map(|row| row.person_hash).collect();
    let expected: BTreeSet<Vec<u8>> = file
        .valid
        .iter()
        .map(|number| person_hash(&service.platform_key, number).to_vec())
        .collect();
    assert_eq!(stored, expected);
    service.stop().await;
}
