#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hostile input on the consent service: every class gets a 4xx problem
//! response, and an import over `consent.max_import_bytes` names the
//! setting.

mod common;

use hap_kit::auth::Role;
use hap_testkit::hostile::{
    JsonEndpoint, assert_no_failures, check_json_endpoint, check_path_segment,
};
use reqwest::Method;
use serde_json::json;

use common::TestService;
use common::numbers::Numbers;

/// A small `consent.max_import_bytes`, so the oversize import is small too.
const MAX_IMPORT_BYTES: usize = 4_096;
/// A small `http.max_body_bytes`.
const MAX_BODY_BYTES: usize = 16_384;

#[actix_web::test]
async fn hostile_input_gets_problem_responses() {
    let service = TestService::start_with(&[
        ("consent.max_import_bytes", MAX_IMPORT_BYTES.to_string()),
        ("http.max_body_bytes", MAX_BODY_BYTES.to_string()),
    ])
    .await;
    let steward = service.token("steward-1", Role::Steward);
    let client = reqwest::Client::new();
    let number = Numbers::new().issue();

    let mut failures = check_json_endpoint(
        &client,
        &JsonEndpoint {
            method: Method::POST,
            url: service.url("/v1/registries/quality/consent-history"),
            token: steward.clone(),
            body: json!({ "person_id": number }),
            max_body_bytes: MAX_BODY_BYTES,
        },
    )
    .await;
    failures.extend(
        check_path_segment(
            &client,
            Method::POST,
            &service.url("/v1/registries/{}/consent-events"),
            &steward,
        )
        .await,
    );
    failures.extend(
        check_path_segment(
            &client,
            Method::GET,
            &service.url("/v1/permits/{}/exclusions"),
            &service.token("linkage", Role::Service),
        )
        .await,
    );
    let import_not_utf8 = client
        .post(service.url("/v1/registries/quality/consent-events"))
        .bearer_auth(&steward)
        .header("content-type", "text/csv")
        .body(b"person_id,event,event_date,source\n\xff\xfe,given,2020-01-01,x\n".to_vec());
    // Rows with invalid UTF-8 are rejected one by one, so the import as a
    // whole succeeds; the check is that the response is not a 5xx.
    let reply = import_not_utf8.send().await.unwrap();
    assert_eq!(reply.status(), 200);

    service.stop().await;
    assert_no_failures(failures);
}

#[actix_web::test]
async fn import_over_limit_names_setting() {
    let service =
        TestService::start_with(&[("consent.max_import_bytes", MAX_IMPORT_BYTES.to_string())])
            .await;
    let steward = service.token("steward-1", Role::Steward);
    let client = reqwest::Client::new();
    let header = "person_id,event,event_date,source\n";
    let url = service.url("/v1/registries/quality/consent-events");

    let at_limit = format!("{header}{}", "\n".repeat(MAX_IMPORT_BYTES - header.len()));
    let response = client
        .post(&url)
        .bearer_auth(&steward)
        .body(at_limit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let over_limit = format!(
        "{header}{}",
        "\n".repeat(MAX_IMPORT_BYTES + 1 - header.len())
    );
    let response = client
        .post(&url)
        .bearer_auth(&steward)
        .body(over_limit)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let problem: serde_json::Value = response.json().await.unwrap();
    assert_eq!(problem["type"], "urn:hap:problem:body-too-large");
    assert_eq!(problem["limit"], MAX_IMPORT_BYTES);
    assert_eq!(problem["setting"], "consent.max_import_bytes");

    service.stop().await;
}
