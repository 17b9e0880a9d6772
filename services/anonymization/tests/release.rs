#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The consumer of `linkage.completed`. A dataset that meets the profile is
//! released only after the independent check. A dataset that cannot meet it
//! is not released, and the case goes back with the disclosure report.

mod common;

use diesel::prelude::*;
use hap_anonymization::schema::releases;
use hap_contracts::application::DisclosureLevel;
use hap_contracts::events::{self, AnonymizationCompleted, AnonymizationRejected, StepFailed};
use hap_dataset::{Column, ColumnKind, Table};
use hap_disclosure::{Dataset, Release, verify_k};
use serde_json::Value;

use common::TestService;

/// `persons` people over two sexes, ten birth years and three
/// municipalities.
fn linked_table(persons: usize) -> Table {
    let mut pseudonyms = Vec::new();
    let mut sexes = Vec::new();
    let mut births = Vec::new();
    let mut municipalities = Vec::new();
    for index in 0..persons {
        pseudonyms.push(Some(format!("P{index:025}")));
        sexes.push(Some(
            if index % 2 == 0 { "female" } else { "male" }.to_owned(),
        ));
        births.push(Some(format!(
            "{}-{:02}-{:02}",
            1950 + index % 10,
            1 + index % 12,
            1 + index % 28
        )));
        municipalities.push(Some(["0301", "4601", "5001"][index % 3].to_owned()));
    }
    Table::new(vec![
        Column::new("pseudonym", ColumnKind::Text, pseudonyms),
        Column::new("sex", ColumnKind::Text, sexes),
        Column::new("birth_date", ColumnKind::Date, births),
        Column::new("municipality", ColumnKind::Text, municipalities),
    ])
    .unwrap()
}

fn to_dataset(table: &Table) -> Dataset {
    let names = table.columns().iter().map(|c| c.name.clone()).collect();
    let rows = (0..table.num_rows())
        .map(|row| {
            table
                .columns()
                .iter()
                .map(|c| c.values[row].clone())
                .collect()
        })
        .collect();
    Dataset::new(names, rows).unwrap()
}

fn release_rows(service: &TestService, application_id: uuid::Uuid) -> i64 {
    let mut conn = service.conn();
    releases::table
        .filter(releases::application_id.eq(application_id))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

#[actix_web::test]
async fn releasable_dataset_is_published_k_anonymous() {
    let mut service = TestService::start().await;
    let (application_id, envelope) = service.linked(&linked_table(300));

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::ANONYMIZATION_COMPLETED, application_id)
        .await;

    let completed: AnonymizationCompleted = event.payload_as().unwrap();
    assert!(completed.k >= 5, "k {}", completed.k);
    let path = service.work.path(&completed.dataset.key).unwrap();
    let released = to_dataset(&hap_dataset::read_parquet(&path).unwrap());
    assert_eq!(released.len() as u64, completed.rows);
    assert_eq!(
        verify_k(&released, &["sex", "birth_date", "municipality"], 5),
        Ok(())
    );
    assert_eq!(release_rows(&service, application_id), 1);
    service.stop().await;
}

/// Lists the releases of `application_id` with a steward token that names
/// `registries`.
async fn releases_for_steward(
    service: &TestService,
    application_id: uuid::Uuid,
    registries: &[&str],
) -> Vec<Value> {
    let token =
        hap_testkit::dev_tokens::steward_token(common::DEV_SECRET, "steward-1", registries, 60);
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v1/releases?application_id={application_id}",
            service.base_url
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn steward_lists_releases_of_own_registries() {
    let mut service = TestService::start().await;
    // The permit draws on the cancer registry.
    let (application_id, envelope) = service.linked(&linked_table(300));
    service.publish(&envelope).await;
    service
        .events
        .wait_for(events::ANONYMIZATION_COMPLETED, application_id)
        .await;

    let own = releases_for_steward(&service, application_id, &["cancer"]).await;
    assert_eq!(own.len(), 1, "{own:?}");
    assert_eq!(own[0]["application_id"], application_id.to_string());
    let other = releases_for_steward(&service, application_id, &["birth", "quality"]).await;
    assert_eq!(other, Vec::<Value>::new());
    let none = releases_for_steward(&service, application_id, &[]).await;
    assert_eq!(none, Vec::<Value>::new());
    service.stop().await;
}

#[actix_web::test]
async fn unreleasable_dataset_returns_with_report() {
    let mut service = TestService::start().await;
    // Three persons cannot form a group of five at any generalisation, and
    // 5% of three records allows no suppression.
    let (application_id, envelope) = service.linked(&linked_table(3));

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::ANONYMIZATION_REJECTED, application_id)
        .await;

    let rejected: AnonymizationRejected = event.payload_as().unwrap();
    assert_eq!(rejected.application_id, application_id);
    assert!(
        rejected.reason.contains("5-anonymity"),
        "{}",
        rejected.reason
    );
    // The applications service reads every failure as `StepFailed`.
    let failed: StepFailed = event.payload_as().unwrap();
    assert_eq!(failed.reason, rejected.reason);

    let path = service.work.path(&rejected.report.key).unwrap();
    let document: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(document["released"], false);
    assert_eq!(document["profile"]["k"], 5);
    assert_eq!(
        document["reason"].as_str(),
        Some(
            rejected
                .reason
                .trim_start_matches("disclosure control could not release the data: ")
        )
    );

    assert_eq!(release_rows(&service, application_id), 0);
    assert!(
        service
            .events
            .received(events::ANONYMIZATION_COMPLETED, application_id)
            .is_empty()
    );
    service.stop().await;
}

#[actix_web::test]
async fn aggregate_level_releases_protected_tables() {
    let mut service = TestService::start().await;
    // 300 persons spread evenly, and 3 more in a municipality of their own,
    // whose counts are below the minimum cell count.
    let mut columns = linked_table(303).columns().to_vec();
    let municipality = columns
        .iter_mut()
        .find(|column| column.name == "municipality")
        .unwrap();
    for value in &mut municipality.values[300..] {
        *value = Some("5501".to_owned());
    }
    let linked = Table::new(columns).unwrap();
    let (application_id, envelope) = service.linked_at(&linked, DisclosureLevel::Aggregate);

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::ANONYMIZATION_COMPLETED, application_id)
        .await;

    let completed: AnonymizationCompleted = event.payload_as().unwrap();
    assert_eq!(completed.k, 5, "k is the minimum cell count");
    let path = service.work.path(&completed.dataset.key).unwrap();
    let released = hap_dataset::read_parquet(&path).unwrap();
    assert_eq!(released.num_rows() as u64, completed.rows);
    assert!(released.column("pseudonym").is_none());

    let column = |name: &str| released.column(name).unwrap().values.clone();
    let (tables, entries, persons, suppression) = (
        column("table"),
        column("entry"),
        column("persons"),
        column("suppression"),
    );
    let names: std::collections::BTreeSet<&str> =
        tables.iter().flatten().map(String::as_str).collect();
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        [
            "birth_date (year) by municipality",
            "sex by birth_date (year)",
            "sex by municipality",
        ]
    );
    for row in 0..released.num_rows() {
        match (&persons[row], &suppression[row]) {
            (Some(count), None) => {
                let count: u64 = count.parse().unwrap();
                assert!(count == 0 || count >= 5, "row {row} publishes {count}");
            }
            (None, Some(reason)) => assert!(
                reason == "primary" || reason == "secondary",
                "row {row}: {reason}"
            ),
            other => panic!("row {row} is both or neither published and suppressed: {other:?}"),
        }
    }

    // Every person is counted once in each grand total, and each published
    // cell of sex by municipality matches the linked dataset.
    for row in 0..released.num_rows() {
        if entries[row].as_deref() == Some("grand_total") {
            assert_eq!(persons[row].as_deref(), Some("303"), "{:?}", tables[row]);
        }
    }
    let row_values = column("row_value");
    let column_values = column("column_value");
    let small = (0..released.num_rows())
        .find(|&row| {
            tables[row].as_deref() == Some("sex by municipality")
                && entries[row].as_deref() == Some("cell")
                && row_values[row].as_deref() == Some("male")
                && column_values[row].as_deref() == Some("5501")
        })
        .unwrap();
    assert_eq!(persons[small], None, "one man in 5501 was published");
    assert_eq!(suppression[small].as_deref(), Some("primary"));
    let secondary = suppression
        .iter()
        .filter(|reason| reason.as_deref() == Some("secondary"))
        .count();
    assert!(secondary > 0, "no cell protects the small ones");
    let sexes = &linked.column("sex").unwrap().values;
    let municipalities = &linked.column("municipality").unwrap().values;
    let mut published = 0;
    for row in 0..released.num_rows() {
        let is_cell = tables[row].as_deref() == Some("sex by municipality")
            && entries[row].as_deref() == Some("cell");
        let Some(count) = persons[row].as_deref().filter(|_| is_cell) else {
            continue;
        };
        let expected = (0..linked.num_rows())
            .filter(|&person| {
                sexes[person] == row_values[row] && municipalities[person] == column_values[row]
            })
            .count();
        assert_eq!(count, expected.to_string(), "row {row}");
        published += 1;
    }
    assert!(published > 0, "sex by municipality publishes no cell");

    let report_path = service.work.path(&completed.report.key).unwrap();
    let report: Value = serde_json::from_slice(&std::fs::read(report_path).unwrap()).unwrap();
    assert_eq!(report["level"], "aggregate");
    assert_eq!(report["min_cell_count"], 5);
    assert_eq!(report["persons"], 303);
    assert_eq!(report["tables"].as_array().unwrap().len(), 3);
    assert_eq!(release_rows(&service, application_id), 1);
    service.stop().await;
}

/// Sets the first released record's birth date to the full date
/// 1950-01-01. The other records have generalised birth dates, so it forms
/// a group of one.
fn ungeneralise_first_record(release: &mut Release) {
    let columns = release.data.columns().to_vec();
    let birth = columns.iter().position(|c| c == "birth_date").unwrap();
    let mut rows = release.data.rows().to_vec();
    rows[0][birth] = Some("1950-01-01".to_owned());
    release.data = Dataset::new(columns, rows).unwrap();
}

#[actix_web::test]
async fn release_failing_verification_is_withheld() {
    let mut service = TestService::start_altering(ungeneralise_first_record).await;
    let (application_id, envelope) = service.linked(&linked_table(300));

    service.publish(&envelope).await;
    let event = service
        .events
        .wait_for(events::ANONYMIZATION_REJECTED, application_id)
        .await;

    let rejected: AnonymizationRejected = event.payload_as().unwrap();
    assert!(
        rejected.reason.contains("failed the independent check"),
        "{}",
        rejected.reason
    );
    assert!(
        rejected.reason.contains("smaller than k = 5"),
        "{}",
        rejected.reason
    );
    let path = service.work.path(&rejected.report.key).unwrap();
    let document: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    assert_eq!(document["released"], false);
    assert!(
        document["report"].is_object(),
        "the withheld release's report is missing: {}",
        document["report"]
    );

    assert_eq!(release_rows(&service, application_id), 0);
    let release_prefix = format!("applications/{application_id}/v1/release");
    for file in ["data.parquet", "disclosure-report.json"] {
        assert!(
            service
                .work
                .describe(&format!("{release_prefix}/{file}"))
                .is_err(),
            "{file} was written for delivery"
        );
    }
    assert!(
        service
            .events
            .received(events::ANONYMIZATION_COMPLETED, application_id)
            .is_empty()
    );
    service.stop().await;
}
