//! Editing drafts with `PUT /v1/applications/{id}` and `If-Match`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::service::problem;
use common::{TestService, complete_content};
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_without_if_match_is_428() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;

    let reply = service
        .send(
            Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&content),
            &[],
        )
        .await;

    assert_eq!(reply.status, StatusCode::PRECONDITION_REQUIRED);
    assert_eq!(reply.problem_type(), problem("if-match-required"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_with_current_etag_then_stale_etag() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let mut content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;
    let path = format!("/v1/applications/{id}");
    content["title"] = json!("Survival after rectal cancer surgery");

    let edited = service
        .send(
            Method::PUT,
            &path,
            Some(&alice),
            Some(&content),
            &[("if-match", "\"1\"")],
        )
        .await;
    let stale = service
        .send(
            Method::PUT,
            &path,
            Some(&alice),
            Some(&complete_content("alice")),
            &[("if-match", "\"1\"")],
        )
        .await;
    let read = service.get(&path, &alice).await;

    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["revision"], 2);
    assert_eq!(edited.etag.as_deref(), Some("\"2\""));
    assert_eq!(edited.body["content"]["title"], content["title"]);
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.problem_type(), problem("stale-revision"));
    assert_eq!(stale.body["revision"], 2);
    assert_eq!(read.etag.as_deref(), Some("\"2\""));
    assert_eq!(read.body["content"]["title"], content["title"]);
    let timeline = service.get(&format!("{path}/timeline"), &alice).await;
    assert_eq!(timeline.body["entries"][1]["event"], "edited");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_accepts_weak_etag() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;

    let reply = service
        .send(
            Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&content),
            &[("if-match", "W/\"1\"")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["revision"], 2);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_with_malformed_if_match_is_400() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;

    let reply = service
        .send(
            Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&content),
            &[("if-match", "*")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.problem_type(), problem("invalid-if-match"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_by_other_applicant_is_404() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;

    let reply = service
        .send(
            Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&bob),
            Some(&content),
            &[("if-match", "\"1\"")],
        )
        .await;

    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.problem_type(), problem("not-found"));
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["revision"], 1);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_after_submit_is_409() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service.submitted_application("alice", &alice).await;
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    let etag = read.etag.unwrap();

    let reply = service
        .send(
            Method::PUT,
            &format!("/v1/applications/{id}"),
            Some(&alice),
            Some(&complete_content("alice")),
            &[("if-match", &etag)],
        )
        .await;

    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(reply.problem_type(), problem("command-not-allowed"));
    service.stop().await;
}
