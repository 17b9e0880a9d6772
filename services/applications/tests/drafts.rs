//! Creating and reading drafts: `POST`, `GET /v1/applications[/{id}]`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::service::{item_ids, problem};
use common::{TestService, complete_content};
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_returns_201_with_etag() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let content = complete_content("alice");

    let reply = service.post("/v1/applications", &alice, &content).await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.etag.as_deref(), Some("\"1\""));
    assert_eq!(reply.body["state"], "draft");
    assert_eq!(reply.body["revision"], 1);
    assert_eq!(reply.body["applicant"], "alice");
    assert_eq!(reply.body["version"], json!(null));
    assert_eq!(reply.body["deadline"], json!(null));
    assert_eq!(reply.body["handler"], json!(null));
    assert_eq!(reply.body["content"]["title"], content["title"]);
    assert!(reply.body["project_id"].is_string(), "{}", reply.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_key_replay_returns_same_application() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let content = complete_content("alice");
    let key = [("idempotency-key", "create-7f3a")];

    let first = service
        .send(
            Method::POST,
            "/v1/applications",
            Some(&alice),
            Some(&content),
            &key,
        )
        .await;
    let replay = service
        .send(
            Method::POST,
            "/v1/applications",
            Some(&alice),
            Some(&content),
            &key,
        )
        .await;
    let other_subject = service
        .send(
            Method::POST,
            "/v1/applications",
            Some(&bob),
            Some(&content),
            &key,
        )
        .await;

    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.body);
    assert_eq!(replay.id(), first.id());
    assert_eq!(replay.etag.as_deref(), Some("\"1\""));
    // Keys are scoped to the caller, so another applicant's key creates anew.
    assert_eq!(other_subject.status, StatusCode::CREATED);
    assert_ne!(other_subject.id(), first.id());

    let list = service.get("/v1/applications", &alice).await;
    assert_eq!(item_ids(&list.body), vec![first.id()]);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_idempotency_key_rejected() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let key = "k".repeat(129);

    let reply = service
        .send(
            Method::POST,
            "/v1/applications",
            Some(&alice),
            Some(&complete_content("alice")),
            &[("idempotency-key", &key)],
        )
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.problem_type(), problem("invalid-idempotency-key"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_fields_rejected() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let mut top_level = complete_content("alice");
    top_level["colour"] = json!("blue");
    let mut nested = complete_content("alice");
    nested["purpose"]["budget"] = json!(1000);

    let top_level_reply = service.post("/v1/applications", &alice, &top_level).await;
    let nested_reply = service.post("/v1/applications", &alice, &nested).await;

    assert_eq!(top_level_reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(top_level_reply.problem_type(), problem("invalid-json"));
    assert!(
        top_level_reply.body["detail"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{}",
        top_level_reply.body
    );
    assert_eq!(nested_reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(nested_reply.problem_type(), problem("invalid-json"));
    let list = service.get("/v1/applications", &alice).await;
    assert!(item_ids(&list.body).is_empty(), "{}", list.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_needs_applicant_role_and_token() {
    let service = TestService::start().await;
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let content = complete_content("handler-1");

    let as_handler = service.post("/v1/applications", &handler, &content).await;
    let anonymous = service
        .send(Method::POST, "/v1/applications", None, Some(&content), &[])
        .await;
    let bad_token = service
        .post("/v1/applications", "not-a-token", &content)
        .await;

    assert_eq!(as_handler.status, StatusCode::FORBIDDEN);
    assert_eq!(as_handler.problem_type(), problem("forbidden"));
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.problem_type(), problem("unauthorized"));
    assert_eq!(bad_token.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad_token.problem_type(), problem("unauthorized"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_access_follows_owner_and_role() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .create_draft(&alice, &complete_content("alice"))
        .await;
    let path = format!("/v1/applications/{id}");
    let timeline = format!("/v1/applications/{id}/timeline");

    let by_owner = service.get(&path, &alice).await;
    let by_other = service.get(&path, &bob).await;
    let by_handler = service.get(&path, &handler).await;
    let timeline_by_other = service.get(&timeline, &bob).await;
    let timeline_by_owner = service.get(&timeline, &alice).await;

    assert_eq!(by_owner.status, StatusCode::OK);
    assert_eq!(by_owner.id(), id);
    assert_eq!(by_owner.etag.as_deref(), Some("\"1\""));
    assert_eq!(by_other.status, StatusCode::NOT_FOUND);
    assert_eq!(by_other.problem_type(), problem("not-found"));
    assert_eq!(by_handler.status, StatusCode::OK);
    assert_eq!(by_handler.id(), id);
    assert_eq!(timeline_by_other.status, StatusCode::NOT_FOUND);
    assert_eq!(timeline_by_owner.status, StatusCode::OK);
    assert_eq!(timeline_by_owner.body["state"], "draft");
    assert_eq!(timeline_by_owner.body["entries"][0]["event"], "created");
    assert_eq!(timeline_by_owner.body["entries"][0]["actor"], "alice");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_of_unknown_or_malformed_id() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);

    let unknown = service
        .get(
            &format!("/v1/applications/{}", uuid::Uuid::now_v7()),
            &alice,
        )
        .await;
    let malformed = service.get("/v1/applications/not-a-uuid", &alice).await;

    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.problem_type(), problem("not-found"));
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.problem_type(), problem("invalid-path"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_own_applications() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let mut created = Vec::new();
    for _ in 0..3 {
        created.push(
            service
                .create_draft(&alice, &complete_content("alice"))
                .await,
        );
    }
    let bobs = service.create_draft(&bob, &complete_content("bob")).await;

    let first = service.get("/v1/applications?limit=2", &alice).await;
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = service
        .get(&format!("/v1/applications?limit=2&cursor={cursor}"), &alice)
        .await;
    let exact = service.get("/v1/applications?limit=3", &alice).await;
    let of_bob = service.get("/v1/applications", &bob).await;
    let too_large = service.get("/v1/applications?limit=201", &alice).await;

    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(item_ids(&first.body), created[..2].to_vec());
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(item_ids(&second.body), created[2..].to_vec());
    assert_eq!(second.body["next_cursor"], json!(null));
    // A page that ends with the last item has no cursor.
    assert_eq!(item_ids(&exact.body), created);
    assert_eq!(exact.body["next_cursor"], json!(null));
    assert_eq!(item_ids(&of_bob.body), vec![bobs]);
    assert_eq!(too_large.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_large.problem_type(), problem("invalid-limit"));
    service.stop().await;
}
