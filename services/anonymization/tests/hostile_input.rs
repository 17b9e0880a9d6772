#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hostile input on the anonymization service: every class gets a 4xx
//! problem response, never a 5xx.

mod common;

use hap_kit::auth::{Role, issue_dev_token};
use hap_testkit::hostile::{assert_no_failures, check_query, expect_problem};
use uuid::Uuid;

use common::{DEV_SECRET, TestService};

#[actix_web::test]
async fn hostile_input_gets_problem_responses() {
    let service = TestService::start().await;
    let auditor =
        issue_dev_token(DEV_SECRET, "hap-dev", "auditor-1", &[Role::Auditor], 60).unwrap();
    let client = reqwest::Client::new();
    let releases = format!("{}/v1/releases", service.base_url);

    let mut failures = check_query(
        &client,
        &releases,
        &format!("application_id={}", Uuid::nil()),
        &auditor,
    )
    .await;
    let cases = [
        ("application_id missing", releases.clone()),
        (
            "application_id not a UUID",
            format!("{releases}?application_id=..%2Fetc"),
        ),
        (
            "application_id given twice",
            format!(
                "{releases}?application_id={0}&application_id={0}",
                Uuid::nil()
            ),
        ),
        (
            "unknown path",
            format!("{}/v1/releases/..%2F..%2Fwork", service.base_url),
        ),
    ];
    for (class, url) in cases {
        failures.extend(expect_problem(class, client.get(url).bearer_auth(&auditor)).await);
    }
    let wrong_method = client.post(&releases).bearer_auth(&auditor).body("{}");
    failures.extend(expect_problem("wrong method", wrong_method).await);

    service.stop().await;
    assert_no_failures(failures);
}
