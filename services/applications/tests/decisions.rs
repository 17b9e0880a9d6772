//! Case work: claim, approve, reject and withdraw through
//! `POST /v1/applications/{id}/{command}`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::service::{item_ids, problem, timeline_entry, timeline_events, uuid_field};
use common::{EventProbe, TestService};
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_of_own_application_is_403() {
    let service = TestService::start().await;
    let carol = service.token("carol", &[Role::Applicant, Role::CaseHandler]);
    let id = service.submitted_application("carol", &carol).await;

    let reply = service.command(id, "claim", &carol, &json!({})).await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
    assert_eq!(reply.problem_type(), problem("forbidden"));
    let read = service.get(&format!("/v1/applications/{id}"), &carol).await;
    assert_eq!(read.body["state"], "submitted");
    assert_eq!(read.body["handler"], json!(null));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approve_without_claim_is_409() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;

    let reply = service.command(id, "approve", &handler, &json!({})).await;

    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.problem_type(), problem("command-not-allowed"));
    assert_eq!(reply.body["state"], "submitted");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_then_approve_publishes_approval() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let decider = service.token("decider-1", &[Role::Decider]);
    let probe = EventProbe::bind(&service, "application.*").await;
    let id = service.submitted_application("alice", &alice).await;

    let claimed = service.command(id, "claim", &handler, &json!({})).await;
    let approved = service.command(id, "approve", &decider, &json!({})).await;
    let event = probe.next_event("application.approved", id).await;

    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    assert_eq!(claimed.body["state"], "in-review");
    assert_eq!(claimed.body["handler"], "handler-1");
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(approved.body["state"], "approved");
    assert_eq!(approved.body["handler"], "handler-1");
    assert_eq!(event["type"], "application.approved");
    assert_eq!(uuid_field(&event, "correlation_id"), id);
    assert_eq!(event["version"], 1);
    assert_eq!(uuid_field(&event["payload"], "application_id"), id);
    assert_eq!(event["payload"]["version"], 1);
    assert_eq!(event["payload"]["decided_by"], "decider-1");
    assert_eq!(
        event["payload"]["project_title"],
        approved.body["content"]["title"]
    );
    assert_eq!(
        event["payload"]["recipients"],
        approved.body["content"]["recipients"]
    );
    assert_eq!(
        event["payload"]["valid_until"],
        approved.body["content"]["period_end"]
    );

    let timeline = service
        .get(&format!("/v1/applications/{id}/timeline"), &handler)
        .await;
    assert_eq!(
        timeline_events(&timeline.body),
        ["created", "submit", "claim", "approve"]
    );
    let approval = timeline_entry(&timeline.body, "approve");
    assert_eq!(approval["actor"], "decider-1");
    assert_eq!(approval["detail"]["role"], "decider");
    assert_eq!(approval["detail"]["state"], "approved");
    let own = service
        .get(&format!("/v1/applications/{id}/timeline"), &alice)
        .await;
    let seen = timeline_entry(&own.body, "approve");
    assert_eq!(seen["actor"], "case handling");
    assert_eq!(seen["detail"]["role"], json!(null));
    let queue = service.get("/v1/queue", &handler).await;
    assert!(item_ids(&queue.body).is_empty(), "{}", queue.body);
    probe.close().await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claim_held_by_other_handler_is_409() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let first = service.token("handler-1", &[Role::CaseHandler]);
    let second = service.token("handler-2", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;
    let claimed = service.command(id, "claim", &first, &json!({})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);

    let reclaim = service.command(id, "claim", &second, &json!({})).await;
    let approve = service.command(id, "approve", &second, &json!({})).await;
    let renew = service.command(id, "claim", &first, &json!({})).await;

    assert_eq!(reclaim.status, StatusCode::CONFLICT);
    assert_eq!(reclaim.problem_type(), problem("already-claimed"));
    assert_eq!(approve.status, StatusCode::CONFLICT);
    assert_eq!(approve.problem_type(), problem("not-claimed"));
    assert_eq!(renew.status, StatusCode::OK, "{}", renew.body);
    assert_eq!(renew.body["handler"], "handler-1");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reject_needs_reason() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let decider = service.token("decider-1", &[Role::Decider]);
    let id = service.submitted_application("alice", &alice).await;
    let claimed = service.command(id, "claim", &handler, &json!({})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    let reason = "the ethics approval does not cover the quality registry";

    let without = service.command(id, "reject", &decider, &json!({})).await;
    let blank = service
        .command(id, "reject", &decider, &json!({"reason": "   "}))
        .await;
    let with_reason = service
        .command(id, "reject", &decider, &json!({"reason": reason}))
        .await;

    assert_eq!(without.status, StatusCode::BAD_REQUEST);
    assert_eq!(without.problem_type(), problem("reason-required"));
    assert_eq!(blank.status, StatusCode::BAD_REQUEST);
    assert_eq!(blank.problem_type(), problem("reason-required"));
    assert_eq!(with_reason.status, StatusCode::OK, "{}", with_reason.body);
    assert_eq!(with_reason.body["state"], "rejected");
    let timeline = service
        .get(&format!("/v1/applications/{id}/timeline"), &alice)
        .await;
    assert_eq!(timeline.body["state"], "rejected");
    assert_eq!(
        timeline_entry(&timeline.body, "reject")["detail"]["reason"],
        reason
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_by_owner() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;

    let withdrawn = service
        .command(id, "withdraw", &alice, &json!({"reason": "funding ended"}))
        .await;
    let again = service.command(id, "withdraw", &alice, &json!({})).await;
    let queue = service.get("/v1/queue", &handler).await;

    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["state"], "withdrawn");
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.problem_type(), problem("command-not-allowed"));
    assert!(item_ids(&queue.body).is_empty(), "{}", queue.body);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdraw_of_draft_without_body() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service
        .create_draft(&alice, &common::complete_content("alice"))
        .await;

    let reply = service
        .send(
            Method::POST,
            &format!("/v1/applications/{id}/withdraw"),
            Some(&alice),
            None,
            &[],
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["state"], "withdrawn");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_by_other_applicant_is_404() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let id = service.submitted_application("alice", &alice).await;

    let withdraw = service.command(id, "withdraw", &bob, &json!({})).await;

    // The same 404 as a read returns, so the id's existence is not disclosed.
    assert_eq!(withdraw.status, StatusCode::NOT_FOUND, "{}", withdraw.body);
    assert_eq!(withdraw.problem_type(), problem("not-found"));
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["state"], "submitted");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_body_with_unknown_field_is_400() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service.submitted_application("alice", &alice).await;

    let reply = service
        .command(id, "withdraw", &alice, &json!({"reasn": "funding ended"}))
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.problem_type(), problem("invalid-json"));
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["state"], "submitted");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_command_and_application() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;

    let unknown_command = service.command(id, "escalate", &handler, &json!({})).await;
    let unknown_id = service
        .command(uuid::Uuid::now_v7(), "claim", &handler, &json!({}))
        .await;

    assert_eq!(unknown_command.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_command.problem_type(), problem("not-found"));
    assert_eq!(unknown_id.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_id.problem_type(), problem("not-found"));
    service.stop().await;
}
