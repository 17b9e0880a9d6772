//! What each audience may see: applicants their own case without notes or
//! reviewers, auditors the append-only audit trail, everyone the register
//! of approved uses and the catalogue; plus statistics and transition events.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::service::{item_ids, problem};
use common::{EventProbe, Reply, TestService, aggregate_content};
use diesel::prelude::*;
use hap_kit::auth::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const NOTE: &str = "internal-note-7f3a: the applicant's earlier project was stopped";
const HANDLER: &str = "handler-secret-4b1c";
const DECIDER: &str = "decider-secret-9d2e";
const OTHER_TITLE: &str = "bob-title-5e6f";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applicant_never_sees_notes_reviewers_or_others() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let bob = service.token("bob", &[Role::Applicant]);
    let handler = service.token(HANDLER, &[Role::CaseHandler]);
    let decider = service.token(DECIDER, &[Role::Decider]);
    let mut bob_content = common::complete_content("bob");
    bob_content["title"] = json!(OTHER_TITLE);
    let bob_id = service.create_draft(&bob, &bob_content).await;
    let id = service.submitted_application("alice", &alice).await;
    let mut replies: Vec<(String, Reply)> = Vec::new();

    service.command(id, "claim", &handler, &json!({})).await;
    let note = service
        .post(
            &format!("/v1/applications/{id}/notes"),
            &handler,
            &json!({"body": NOTE}),
        )
        .await;
    service
        .command(
            id,
            "return",
            &handler,
            &json!({"questions": ["Which cohort?"]}),
        )
        .await;
    replies.push((
        "answer".into(),
        service.command(id, "submit", &alice, &json!({})).await,
    ));
    service.command(id, "approve", &decider, &json!({})).await;
    let paths = [
        "/v1/applications".to_owned(),
        format!("/v1/applications/{id}"),
        format!("/v1/applications/{id}/timeline"),
        format!("/v1/applications/{id}/notes"),
        format!("/v1/applications/{bob_id}"),
        format!("/v1/applications/{bob_id}/timeline"),
        "/v1/queue".to_owned(),
        "/v1/audit".to_owned(),
        format!("/v1/audit?application_id={id}"),
        "/v1/statistics".to_owned(),
    ];
    for path in &paths {
        replies.push((path.clone(), service.get(path, &alice).await));
    }
    replies.push((
        "close".into(),
        service.command(id, "close", &alice, &json!({})).await,
    ));
    let staff_notes = service
        .get(&format!("/v1/applications/{id}/notes"), &handler)
        .await;

    assert_eq!(note.status, StatusCode::CREATED, "{}", note.body);
    assert_eq!(staff_notes.body["items"][0]["body"], NOTE);
    for (path, reply) in &replies {
        let text = reply.body.to_string();
        // Bob's id may appear where alice named it in the path herself.
        for secret in [NOTE, HANDLER, DECIDER, OTHER_TITLE] {
            assert!(!text.contains(secret), "{path} shows `{secret}`: {text}");
        }
        assert!(
            reply.body.get("handler").is_none(),
            "{path} has a handler member: {text}"
        );
    }
    let own = &replies[2].1;
    assert_eq!(own.body["state"], "approved");
    assert!(own.body["deadline"].is_string(), "{}", own.body);
    assert_eq!(replies[4].1.status, StatusCode::FORBIDDEN);
    assert_eq!(replies[5].1.status, StatusCode::NOT_FOUND);
    assert_eq!(replies[6].1.status, StatusCode::NOT_FOUND);
    let listed: Vec<_> = item_ids(&replies[1].1.body);
    assert_eq!(listed, vec![id]);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_trail_for_auditors_only() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let id = service
        .approved_application("alice", &alice, &handler)
        .await;

    let trail = service
        .get(&format!("/v1/audit?application_id={id}"), &auditor)
        .await;
    let as_handler = service.get("/v1/audit", &handler).await;
    let delete = service
        .send(Method::DELETE, "/v1/audit", Some(&auditor), None, &[])
        .await;

    assert_eq!(trail.status, StatusCode::OK, "{}", trail.body);
    // The three uploads are the attachments the pseudonymous request needs.
    let items: Vec<&Value> = trail.body["items"].as_array().unwrap().iter().collect();
    let actions: Vec<&str> = items
        .iter()
        .map(|i| i["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "attachment-upload",
            "attachment-upload",
            "attachment-upload",
            "submit",
            "claim",
            "approve"
        ]
    );
    let actors: Vec<&str> = items.iter().map(|i| i["actor"].as_str().unwrap()).collect();
    assert_eq!(
        actors,
        [
            "alice",
            "alice",
            "alice",
            "alice",
            "alice",
            "handler-1",
            "decider-1"
        ]
    );
    let approve = items[6];
    assert_eq!(approve["role"], "decider");
    assert_eq!(approve["from_state"], "in-review");
    assert_eq!(approve["to_state"], "approved");
    assert_eq!(
        approve["changes"]["state"],
        json!({"from": "in-review", "to": "approved"})
    );
    assert!(approve["at"].is_string());
    assert_eq!(
        items[5]["changes"]["handler"],
        json!({"from": null, "to": "handler-1"})
    );
    assert_eq!(as_handler.status, StatusCode::FORBIDDEN);
    assert!(
        delete.status == StatusCode::NOT_FOUND || delete.status == StatusCode::METHOD_NOT_ALLOWED,
        "{}",
        delete.status
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_cannot_change() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    service.submitted_application("alice", &alice).await;
    let mut conn = service.database.conn();

    let update = diesel::sql_query("UPDATE audit_log SET actor = 'mallory'").execute(&mut conn);
    let delete = diesel::sql_query("DELETE FROM audit_log").execute(&mut conn);
    let count: i64 = hap_applications::schema::audit_log::table
        .count()
        .get_result(&mut conn)
        .unwrap();

    let update_error = update.unwrap_err().to_string();
    assert!(update_error.contains("append-only"), "{update_error}");
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    // create, three attachment uploads and submit.
    assert_eq!(count, 5);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_register_lists_approved_uses() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let approved = service
        .approved_application("alice", &alice, &handler)
        .await;
    let waiting = service.submitted_application("alice", &alice).await;

    let register = service
        .send(Method::GET, "/v1/register", None, None, &[])
        .await;

    assert_eq!(register.status, StatusCode::OK, "{}", register.body);
    let items = register.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", register.body);
    let entry = &items[0];
    assert_eq!(entry["application_id"], json!(approved));
    assert_eq!(entry["title"], "Survival after colorectal cancer surgery");
    assert_eq!(entry["institution"], "Institute of Health and Society");
    assert_eq!(entry["registries"], json!(["cancer", "population"]));
    assert!(
        entry["purpose"]
            .as_str()
            .unwrap()
            .starts_with("Study survival")
    );
    assert!(entry["approved_on"].is_string());
    assert!(entry["period_end"].is_string());
    let text = register.body.to_string();
    assert!(!text.contains("alice"), "{text}");
    assert!(!text.contains(&waiting.to_string()), "{text}");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_lists_registries_and_variables() {
    let service = TestService::start().await;

    let reply = service
        .send(Method::GET, "/v1/catalogue", None, None, &[])
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    let registries = reply.body["registries"].as_array().unwrap();
    let names: Vec<&str> = registries
        .iter()
        .map(|r| r["registry"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["population", "cancer", "birth", "patient", "quality"]
    );
    let variables: usize = registries
        .iter()
        .map(|r| r["variables"].as_array().unwrap().len())
        .sum();
    assert_eq!(variables, hap_contracts::criteria::catalogue().len());
    let cancer = &registries[1]["variables"];
    assert!(
        cancer
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["name"] == "icd10")
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statistics_of_backlog_and_decisions() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    service
        .approved_application("alice", &alice, &handler)
        .await;
    service.submitted_application("alice", &alice).await;
    let id = service
        .create_draft(&alice, &aggregate_content("alice"))
        .await;
    service.command(id, "submit", &alice, &json!({})).await;

    let stats = service.get("/v1/statistics", &handler).await;
    let as_applicant = service.get("/v1/statistics", &alice).await;

    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert_eq!(stats.body["backlog"], 2);
    assert_eq!(stats.body["overdue"], 0);
    assert_eq!(stats.body["decided"], 1);
    assert_eq!(stats.body["median_working_days_to_decision"], 0.0);
    assert_eq!(stats.body["share_within_limit"], 1.0);
    assert_eq!(as_applicant.status, StatusCode::FORBIDDEN);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_transition_emits_event() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let probe = EventProbe::bind(&service, "application.state_changed").await;

    let id = service
        .approved_application("alice", &alice, &handler)
        .await;
    let mut seen: Vec<(String, String, String)> = Vec::new();
    for _ in 0..3 {
        let event: Value = probe.next_event("application.state_changed", id).await;
        let payload = &event["payload"];
        seen.push((
            payload["cause"].as_str().unwrap().to_owned(),
            payload["from"].as_str().unwrap().to_owned(),
            payload["to"].as_str().unwrap().to_owned(),
        ));
    }

    let expected = [
        ("submit", "draft", "submitted"),
        ("claim", "submitted", "in-review"),
        ("approve", "in-review", "approved"),
    ];
    for (index, (cause, from, to)) in expected.into_iter().enumerate() {
        assert_eq!(seen[index], (cause.into(), from.into(), to.into()));
    }
    probe.close().await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notes_need_staff_role() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant, Role::CaseHandler]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let id = service.submitted_application("alice", &alice).await;

    let own_case = service
        .post(
            &format!("/v1/applications/{id}/notes"),
            &alice,
            &json!({"body": "mine"}),
        )
        .await;
    let empty = service
        .post(
            &format!("/v1/applications/{id}/notes"),
            &handler,
            &json!({"body": " "}),
        )
        .await;
    let by_auditor = service
        .post(
            &format!("/v1/applications/{id}/notes"),
            &auditor,
            &json!({"body": "x"}),
        )
        .await;
    let added = service
        .post(
            &format!("/v1/applications/{id}/notes"),
            &handler,
            &json!({"body": "checked"}),
        )
        .await;
    let read_by_auditor = service
        .get(&format!("/v1/applications/{id}/notes"), &auditor)
        .await;

    assert_eq!(own_case.status, StatusCode::FORBIDDEN);
    assert_eq!(empty.status, StatusCode::BAD_REQUEST);
    assert_eq!(empty.problem_type(), problem("invalid-note"));
    assert_eq!(by_auditor.status, StatusCode::FORBIDDEN);
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    assert_eq!(added.body["author"], "handler-1");
    assert_eq!(read_by_auditor.body["items"][0]["body"], "checked");
    service.stop().await;
}
