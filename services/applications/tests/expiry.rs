//! Automatic expiry: the periodic job moves approved and delivered
//! applications whose period has ended to `expired`, records it, raises
//! the state-change event, and two replicas never expire one application twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use chrono::Utc;
use common::{EventProbe, TestService, complete_content};
use hap_applications::expiry::{ACTOR, expire_due};
use hap_kit::auth::Role;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

/// Moves the project period of `id` into the past, as if time had passed.
fn end_period(service: &TestService, id: Uuid) {
    let changed = service.execute_sql(&format!(
        "UPDATE applications SET content = jsonb_set(content, '{{period_end}}', '\"2020-01-01\"') \
         WHERE id = '{id}'"
    ));
    assert_eq!(changed, 1);
}

async fn state_of(service: &TestService, id: Uuid, token: &str) -> String {
    let reply = service.get(&format!("/v1/applications/{id}"), token).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["state"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn job_expires_ended_approvals_only() {
    let service =
        TestService::start_with(|settings| settings.cases.expiry_interval_seconds = 1).await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let auditor = service.token("auditor-1", &[Role::Auditor]);
    let probe = EventProbe::bind(&service, "application.state_changed").await;
    let running = service
        .approved_application("alice", &alice, &handler)
        .await;
    let ended = service
        .approved_application("alice", &alice, &handler)
        .await;
    let draft = service
        .create_draft(&alice, &complete_content("alice"))
        .await;
    end_period(&service, ended);
    end_period(&service, draft);

    service.wait_for_state(ended, &alice, "expired").await;
    assert_eq!(state_of(&service, running, &alice).await, "approved");
    assert_eq!(state_of(&service, draft, &alice).await, "draft");

    let trail = service
        .get(&format!("/v1/audit?application_id={ended}"), &auditor)
        .await;
    let items = trail.body["items"].as_array().unwrap();
    let expiry = items.last().unwrap();
    assert_eq!(expiry["action"], "expire", "{expiry}");
    assert_eq!(expiry["actor"], ACTOR);
    assert_eq!(expiry["role"], "service");
    assert_eq!(expiry["from_state"], "approved");
    assert_eq!(expiry["to_state"], "expired");

    let mut causes = Vec::new();
    for _ in 0..4 {
        let event: Value = probe.next_event("application.state_changed", ended).await;
        causes.push(event["payload"]["cause"].as_str().unwrap().to_owned());
    }
    assert_eq!(causes, ["submit", "claim", "approve", "expire"]);
    probe.close().await;
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_expire_each_once() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let mut due = BTreeSet::new();
    for _ in 0..4 {
        let id = service
            .approved_application("alice", &alice, &handler)
            .await;
        end_period(&service, id);
        due.insert(id);
    }

    let cases = test_settings().cases;
    let today = Utc::now().date_naive();
    let replicas: Vec<_> = (0..2)
        .map(|_| {
            let mut conn = service.database.conn();
            let cases = cases.clone();
            std::thread::spawn(move || expire_due(&mut conn, &cases, today))
        })
        .collect();
    let runs: Vec<_> = replicas
        .into_iter()
        .map(|replica| replica.join().unwrap())
        .collect();

    for run in &runs {
        assert!(run.failed.is_empty(), "{:?}", run.failed);
    }
    let expired: Vec<Uuid> = runs.iter().flat_map(|run| run.expired.clone()).collect();
    assert_eq!(expired.len(), due.len(), "{runs:?}");
    assert_eq!(expired.into_iter().collect::<BTreeSet<_>>(), due);
    for id in due {
        assert_eq!(state_of(&service, id, &alice).await, "expired");
    }
    service.stop().await;
}

fn test_settings() -> hap_applications::settings::Settings {
    let overrides = [("auth.dev_secret", common::service::DEV_SECRET.to_owned())];
    hap_kit::settings::load_with(hap_applications::settings::DEFAULTS, &overrides).unwrap()
}
