#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A steward reaches the consent records of the registries its token
//! names, and no others: an import or a history read in another registry
//! gets 403, stores nothing and logs no read.

mod common;

use diesel::prelude::*;
use hap_consent::schema::{consent_events, consent_imports};
use serde_json::json;

use common::numbers::Numbers;
use common::{TestService, consent_csv};

fn stored_events(service: &TestService) -> i64 {
    consent_events::table
        .count()
        .get_result(&mut service.conn())
        .unwrap()
}

fn assert_forbidden_for_registry(reply: &common::Reply, registry: &str) {
    assert_eq!(reply.status, 403, "{:?}", reply.body);
    assert_eq!(reply.body["type"], "urn:hap:problem:forbidden");
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("`{registry}`")), "{detail}");
    assert!(detail.contains("only cancer"), "{detail}");
}

#[actix_web::test]
async fn steward_imports_only_into_own_registry() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let csv = consent_csv(&[format!("{},given,2020-01-01,paper-form", numbers.issue())]);
    let cancer_steward = service.steward_token("steward-cancer", &["cancer"]);
    let quality_steward = service.steward_token("steward-quality", &["quality"]);

    let forbidden = service.import("quality", &cancer_steward, &csv).await;

    assert_forbidden_for_registry(&forbidden, "quality");
    assert_eq!(stored_events(&service), 0);
    let imports: i64 = consent_imports::table
        .count()
        .get_result(&mut service.conn())
        .unwrap();
    assert_eq!(imports, 0);

    let accepted = service.import("quality", &quality_steward, &csv).await;
    assert_eq!(accepted.status, 200, "{:?}", accepted.body);
    assert_eq!(accepted.body["accepted"], 1);
    assert_eq!(stored_events(&service), 1);
    service.stop().await;
}

#[actix_web::test]
async fn steward_without_registry_claim_imports_nothing() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let csv = consent_csv(&[format!("{},given,2020-01-01,paper-form", numbers.issue())]);
    let steward = service.steward_token("steward-none", &[]);

    let reply = service.import("quality", &steward, &csv).await;

    assert_eq!(reply.status, 403, "{:?}", reply.body);
    let detail = reply.body["detail"].as_str().unwrap();
    assert!(detail.contains("no registry"), "{detail}");
    assert_eq!(stored_events(&service), 0);
    service.stop().await;
}

#[actix_web::test]
async fn steward_reads_history_only_in_own_registry() {
    let service = TestService::start().await;
    let mut numbers = Numbers::new();
    let person = numbers.issue();
    service
        .import_quality(&consent_csv(&[format!(
            "{person},given,2019-05-01,paper-form"
        )]))
        .await;
    let path = "/v1/registries/quality/consent-history";
    let body = json!({"person_id": person});

    let forbidden = service
        .post_json(
            path,
            &service.steward_token("steward-cancer", &["cancer"]),
            &body,
        )
        .await;
    assert_forbidden_for_registry(&forbidden, "quality");

    let allowed = service
        .post_json(
            path,
            &service.steward_token("steward-quality", &["quality"]),
            &body,
        )
        .await;
    assert_eq!(allowed.status, 200, "{:?}", allowed.body);
    assert_eq!(allowed.body["events"].as_array().unwrap().len(), 1);

    // Only the read that returned the history is in the access log.
    let entries = service.access_log().await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["actor"], "steward-quality");
    service.stop().await;
}
