#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A consent import of 100,000 events with invalid rows spread through it:
//! every rejected row is reported with its line and reason, and the valid
//! rows are stored. The elapsed time is printed (run with `--nocapture`;
//! `tools/bench/consent-import.sh` runs it from a release build).

mod common;

use std::collections::BTreeMap;
use std::time::Instant;

use diesel::prelude::*;
use hap_consent::schema::consent_events;

use common::numbers::{many, with_wrong_check_digit};
use common::{TestService, consent_csv};

const EVENTS: usize = 100_000;
/// Every this many rows, one row is invalid.
const INVALID_EVERY: usize = 37;

/// The file's rows and, per line number, the reason expected for each
/// rejected line.
fn events_file() -> (String, BTreeMap<u64, &'static str>) {
    let numbers = many(EVENTS);
    let mut rows = Vec::with_capacity(EVENTS);
    let mut rejected = BTreeMap::new();
    for (index, number) in numbers.iter().enumerate() {
        // The header is line 1, so row `index` is on line `index + 2`.
        let line = index as u64 + 2;
        let row = if index % INVALID_EVERY != INVALID_EVERY - 1 {
            let event = if index % 5 == 0 { "withdrawn" } else { "given" };
            format!("{number},{event},2021-06-{:02},helsenorge", index % 28 + 1)
        } else {
            let (row, reason) = match (index / INVALID_EVERY) % 5 {
                0 => (
                    format!(
                        "{},given,2021-06-01,helsenorge",
                        with_wrong_check_digit(number)
                    ),
                    "invalid person_id",
                ),
                1 => (
                    format!("{number},revoked,2021-06-01,helsenorge"),
                    "`revoked`",
                ),
                2 => (
                    format!("{number},given,2021-02-30,helsenorge"),
                    "`2021-02-30`",
                ),
                3 => (format!("{number},given,2021-06-01"), "expected 4 fields"),
                _ => (
                    format!("{number},changed,2021-06-01,helsenorge"),
                    "new scope",
                ),
            };
            rejected.insert(line, reason);
            row
        };
        rows.push(row);
    }
    (consent_csv(&rows), rejected)
}

#[actix_web::test]
async fn import_of_100000_events_reports_every_rejection() {
    let service = TestService::start().await;
    let (csv, expected) = events_file();

    let started = Instant::now();
    let reply = service.import_quality(&csv).await;
    let elapsed = started.elapsed();

    let rejected = reply.body["rejected"].as_array().unwrap();
    let reported: BTreeMap<u64, String> = rejected
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        rejected.len(),
        expected.len(),
        "one report per rejected row"
    );
    assert_eq!(
        reported.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (line, reason) in &expected {
        assert!(
            reported[line].contains(reason),
            "line {line}: expected `{reason}`, reported `{}`",
            reported[line]
        );
    }
    let valid = EVENTS - expected.len();
    assert_eq!(reply.body["accepted"], valid as u64);
    assert_eq!(reply.body["duplicates"], 0);
    let stored: i64 = consent_events::table
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(stored, valid as i64);

    println!(
        "consent import of {EVENTS} events: {} ms ({valid} accepted, {} rejected)",
        elapsed.as_millis(),
        expected.len()
    );
    service.stop().await;
}
