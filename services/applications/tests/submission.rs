//! Submitting applications: completeness checks, the queue entry and the
//! `application.submitted` event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Utc;
use common::service::{item_ids, problem, uuid_field};
use common::{EventProbe, TestService, complete_content, incomplete_content};
use hap_applications::domain::calendar::add_working_days;
use hap_kit::auth::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_incomplete_is_422_naming_fields() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service.create_draft(&alice, &incomplete_content()).await;

    let reply = service.command(id, "submit", &alice, &json!({})).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.problem_type(), problem("incomplete-application"));
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    for expected in [
        "title",
        "institution",
        "project_lead",
        "purpose.description",
        "request.registries",
        "request.criteria",
        "recipients",
        "period_end",
    ] {
        assert!(fields.contains(&expected), "{expected} not in {fields:?}");
    }
    for error in reply.body["errors"].as_array().unwrap() {
        assert!(
            !error["reason"].as_str().unwrap().is_empty(),
            "{}",
            reply.body
        );
    }
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["state"], "draft");
    assert_eq!(read.body["version"], json!(null));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pseudonymous_request_needs_references() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let mut content = complete_content("alice");
    content["legal_basis"] = json!({
        "gdpr_article_6": null,
        "gdpr_article_9": " ",
        "ethics_approval": null,
        "ethics_approval_date": null,
        "dpia_done": false,
    });
    let id = service.create_draft(&alice, &content).await;

    let reply = service.command(id, "submit", &alice, &json!({})).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "legal_basis.gdpr_article_6",
            "legal_basis.gdpr_article_9",
            "legal_basis.dpia_done",
            "legal_basis.ethics_approval",
            "legal_basis.ethics_approval_date",
        ]
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_with_invalid_public_key_names_recipient() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let mut content = complete_content("alice");
    content["recipients"][0]["public_key"] = json!("not a key");
    let id = service.create_draft(&alice, &content).await;

    let reply = service.command(id, "submit", &alice, &json!({})).await;

    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.body["errors"][0]["field"], "recipients[0].public_key");
    assert_eq!(reply.body["errors"].as_array().unwrap().len(), 1);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_complete_enters_queue() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .create_draft(&alice, &complete_content("alice"))
        .await;

    let submitted = service.command(id, "submit", &alice, &json!({})).await;
    let queue = service.get("/v1/queue", &handler).await;
    let queue_as_applicant = service.get("/v1/queue", &alice).await;

    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(submitted.body["state"], "submitted");
    assert_eq!(submitted.body["version"], 1);
    assert_eq!(submitted.body["revision"], 2);
    assert_eq!(submitted.etag.as_deref(), Some("\"2\""));
    // Two registries are linked, so the limit is 60 working days.
    let expected_deadline = add_working_days(Utc::now().date_naive(), 60);
    assert_eq!(submitted.body["deadline"], json!(expected_deadline));
    assert_eq!(queue.status, StatusCode::OK);
    assert_eq!(item_ids(&queue.body), vec![id]);
    assert_eq!(queue.body["items"][0]["state"], "submitted");
    assert_eq!(queue_as_applicant.status, StatusCode::FORBIDDEN);
    assert_eq!(queue_as_applicant.problem_type(), problem("forbidden"));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deadline_follows_settings() {
    let service =
        TestService::start_with(|settings| settings.cases.limit_linked_sources_days = 10).await;
    let alice = service.token("alice", &[Role::Applicant]);

    let id = service.submitted_application("alice", &alice).await;

    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    let expected_deadline = add_working_days(Utc::now().date_naive(), 10);
    assert_eq!(read.body["deadline"], json!(expected_deadline));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drafts_stay_out_of_queue() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    service
        .create_draft(&alice, &complete_content("alice"))
        .await;

    let queue = service.get("/v1/queue", &handler).await;

    assert_eq!(queue.status, StatusCode::OK);
    assert!(item_ids(&queue.body).is_empty(), "{}", queue.body);
    assert_eq!(queue.body["next_cursor"], json!(null));
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_submit_is_409() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let id = service.submitted_application("alice", &alice).await;

    let reply = service.command(id, "submit", &alice, &json!({})).await;

    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.problem_type(), problem("command-not-allowed"));
    assert_eq!(reply.body["state"], "submitted");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submit_publishes_event() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let probe = EventProbe::bind(&service, "application.*").await;
    let content = complete_content("alice");
    let id = service.create_draft(&alice, &content).await;

    let submitted = service.command(id, "submit", &alice, &json!({})).await;
    let event = probe.next_event("application.submitted", id).await;

    assert_eq!(submitted.status, StatusCode::OK);
    assert_eq!(event["type"], "application.submitted");
    assert_eq!(uuid_field(&event, "correlation_id"), id);
    assert_eq!(event["version"], 1);
    assert_eq!(event["causation_id"], json!(null));
    assert_eq!(uuid_field(&event["payload"], "application_id"), id);
    assert_eq!(event["payload"]["version"], 1);
    assert_eq!(event["payload"]["project_id"], submitted.body["project_id"]);
    assert_eq!(event["payload"]["purpose"], content["purpose"]);
    assert_eq!(event["payload"]["request"], content["request"]);
    assert_eq!(event["payload"]["legal_basis"], content["legal_basis"]);
    // The recipients' keys go out only with the approval.
    assert_eq!(event["payload"]["recipients"], json!(null));
    probe.close().await;
    service.stop().await;
}
