#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Hostile input on the delivery service: every class gets a 4xx problem
//! response, and a file name with a path separator or a control character
//! is rejected before it becomes an object key.

mod common;

use hap_kit::auth::Role;
use hap_testkit::hostile::{
    JsonEndpoint, assert_no_failures, check_json_endpoint, check_path_segment, check_query,
};
use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use common::{MAX_BODY_BYTES, TestService};

#[actix_web::test]
async fn hostile_input_gets_problem_responses() {
    let service = TestService::start().await;
    let handler = service.token("handler-1", Role::CaseHandler);
    let auditor = service.token("auditor-1", Role::Auditor);
    let client = reqwest::Client::new();
    let id = Uuid::nil();

    let mut failures = check_json_endpoint(
        &client,
        &JsonEndpoint {
            method: Method::POST,
            url: service.url(&format!("/v1/deliveries/{id}/recipients")),
            token: handler.clone(),
            body: json!({"subject": "recipient-2", "public_key": "not checked here"}),
            max_body_bytes: MAX_BODY_BYTES,
        },
    )
    .await;
    failures.extend(
        check_path_segment(
            &client,
            Method::GET,
            &service.url(&format!("/v1/deliveries/{id}/files/{{}}?grant=x")),
            &handler,
        )
        .await,
    );
    failures.extend(
        check_path_segment(
            &client,
            Method::GET,
            &service.url("/v1/deliveries/{}"),
            &auditor,
        )
        .await,
    );
    failures.extend(
        check_query(
            &client,
            &service.url("/v1/deliveries"),
            &format!("application_id={id}"),
            &auditor,
        )
        .await,
    );

    service.stop().await;
    assert_no_failures(failures);
}

#[actix_web::test]
async fn file_name_with_separator_rejected() {
    let service = TestService::start().await;
    let id = Uuid::nil();
    for name in ["..%5C..%5Csecret", "name%00.c4gh", "a%0Ab"] {
        let reply = service
            .get(
                &format!("/v1/deliveries/{id}/files/{name}?grant=x"),
                None,
                &[],
            )
            .await;
        assert_eq!(reply.status, 400, "{name}: {}", reply.text());
        assert_eq!(
            reply.json()["type"],
            "urn:hap:problem:invalid-name",
            "{name}"
        );
    }
    service.stop().await;
}
