//! Hostile input on the applications service: every class gets a 4xx
//! problem response, never a 5xx or a dropped connection.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestService, complete_content};
use hap_kit::auth::Role;
use hap_testkit::hostile::{
    JsonEndpoint, assert_no_failures, check_json_endpoint, check_path_segment, check_query,
    expect_problem,
};
use reqwest::Method;

/// A small `http.max_body_bytes`, so the oversize body is small too.
const MAX_BODY_BYTES: usize = 16_384;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_gets_problem_responses() {
    let service = TestService::start_with(|settings| {
        settings.common.http.max_body_bytes = MAX_BODY_BYTES;
    })
    .await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("hanna", &[Role::CaseHandler]);
    let client = reqwest::Client::new();
    let base = &service.base_url;

    let mut failures = check_json_endpoint(
        &client,
        &JsonEndpoint {
            method: Method::POST,
            url: format!("{base}/v1/applications"),
            token: alice.clone(),
            body: complete_content("alice"),
            max_body_bytes: MAX_BODY_BYTES,
        },
    )
    .await;
    failures.extend(
        check_path_segment(
            &client,
            Method::GET,
            &format!("{base}/v1/applications/{{}}"),
            &alice,
        )
        .await,
    );
    failures.extend(check_query(&client, &format!("{base}/v1/applications"), "", &alice).await);
    failures.extend(check_query(&client, &format!("{base}/v1/queue"), "", &handler).await);

    let page_over_maximum = client
        .get(format!("{base}/v1/applications?limit=201"))
        .bearer_auth(&alice);
    failures.extend(expect_problem("page size over the maximum", page_over_maximum).await);
    let command_body_not_utf8 = client
        .post(format!(
            "{base}/v1/applications/{}/submit",
            uuid::Uuid::nil()
        ))
        .bearer_auth(&alice)
        .header("content-type", "application/json")
        .body(vec![b'{', 0xff, b'}']);
    failures.extend(expect_problem("command body not UTF-8", command_body_not_utf8).await);
    let wrong_method = client
        .patch(format!("{base}/v1/applications"))
        .bearer_auth(&alice);
    failures.extend(expect_problem("wrong method", wrong_method).await);

    service.stop().await;
    assert_no_failures(failures);
}
