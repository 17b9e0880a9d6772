//! Pipeline events from the other services move the state and fill the
//! timeline.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, Utc};
use common::TestService;
use common::service::{item_ids, timeline_entry, timeline_events};
use hap_applications::domain::ApplicationContent;
use hap_contracts::events::{
    self, AssessmentStage, DeliveryReady, LegalBasisAssessed, LegalBasisCleared, Permit, StepFailed,
};
use hap_kit::auth::Role;
use hap_messaging::Envelope;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// Builds the `legal_basis.cleared` payload the consent service would send
/// for version 1 of the approved application `application`.
fn cleared(application: &Value) -> LegalBasisCleared {
    let content: ApplicationContent =
        serde_json::from_value(application["content"].clone()).unwrap();
    let id: Uuid = application["id"].as_str().unwrap().parse().unwrap();
    LegalBasisCleared {
        permit: Permit {
            permit_id: Uuid::now_v7(),
            application_id: id,
            application_version: 1,
            project_id: application["project_id"].as_str().unwrap().parse().unwrap(),
            project_title: content.title,
            purpose: content.purpose,
            registries: content.request.registries,
            criteria: content.request.criteria,
            disclosure_level: content.request.disclosure_level,
            recipients: content.recipients,
            valid_until: content.period_end,
            issued_at: Utc::now(),
        },
        exclusions: Vec::new(),
    }
}

fn delivery_ready(id: Uuid) -> DeliveryReady {
    DeliveryReady {
        application_id: id,
        delivery_id: Uuid::now_v7(),
        files: vec!["dataset.parquet.c4gh".into(), "report.json.c4gh".into()],
        expires_on: Utc::now().date_naive() + Duration::days(30),
    }
}

fn envelope(event_type: &str, id: Uuid, payload: &impl serde::Serialize) -> Envelope {
    Envelope::new(event_type, events::VERSION, id, payload).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleared_then_delivery_ready_delivers() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .approved_application("alice", &alice, &handler)
        .await;
    let application = service
        .get(&format!("/v1/applications/{id}"), &alice)
        .await
        .body;
    let ready = delivery_ready(id);

    service
        .publish(&envelope(
            events::LEGAL_BASIS_CLEARED,
            id,
            &cleared(&application),
        ))
        .await;
    let preparing = service.wait_for_state(id, &alice, "in-preparation").await;
    service
        .publish(&envelope(events::DELIVERY_READY, id, &ready))
        .await;
    let delivered = service.wait_for_state(id, &alice, "delivered").await;

    assert_eq!(
        timeline_events(&preparing).last().map(String::as_str),
        Some("legal_basis.cleared")
    );
    assert_eq!(
        timeline_events(&delivered),
        [
            "created",
            "submit",
            "claim",
            "approve",
            "legal_basis.cleared",
            "delivery.ready",
        ]
    );
    let entry = timeline_entry(&delivered, "delivery.ready");
    assert_eq!(entry["actor"], "delivery");
    assert_eq!(entry["detail"]["delivery_id"], json!(ready.delivery_id));
    assert_eq!(entry["detail"]["files"], json!(ready.files));
    assert_eq!(entry["detail"]["expires_on"], json!(ready.expires_on));
    assert_eq!(
        timeline_entry(&delivered, "legal_basis.cleared")["actor"],
        "legal_basis"
    );
    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["state"], "delivered");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linkage_failed_returns_to_queue() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let first = service.token("handler-1", &[Role::CaseHandler]);
    let second = service.token("handler-2", &[Role::CaseHandler]);
    let id = service.approved_application("alice", &alice, &first).await;
    let failure = StepFailed {
        application_id: id,
        reason: "the cancer registry extract is missing".into(),
    };

    service
        .publish(&envelope(events::LINKAGE_FAILED, id, &failure))
        .await;
    let timeline = service.wait_for_state(id, &alice, "in-review").await;

    let read = service.get(&format!("/v1/applications/{id}"), &alice).await;
    assert_eq!(read.body["handler"], json!(null));
    let entry = timeline_entry(&timeline, "linkage.failed");
    assert_eq!(entry["actor"], "linkage");
    assert_eq!(entry["detail"]["reason"], failure.reason);
    let queue = service.get("/v1/queue?state=in-review", &second).await;
    assert_eq!(item_ids(&queue.body), vec![id]);
    // With no handler left, any case handler may take the case.
    let claimed = service.command(id, "claim", &second, &json!({})).await;
    assert_eq!(claimed.status, StatusCode::OK, "{}", claimed.body);
    assert_eq!(claimed.body["handler"], "handler-2");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivered_event_recorded_once() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service
        .approved_application("alice", &alice, &handler)
        .await;
    let application = service
        .get(&format!("/v1/applications/{id}"), &alice)
        .await
        .body;
    service
        .publish(&envelope(
            events::LEGAL_BASIS_CLEARED,
            id,
            &cleared(&application),
        ))
        .await;
    service.wait_for_state(id, &alice, "in-preparation").await;
    let ready = envelope(events::DELIVERY_READY, id, &delivery_ready(id));
    let assessed = LegalBasisAssessed {
        application_id: id,
        version: 1,
        stage: AssessmentStage::Approval,
        registries: Vec::new(),
    };

    service.publish(&ready).await;
    service.publish(&ready).await;
    // The consumer handles messages in order, so once this later event is on
    // the timeline the duplicate has been handled too.
    service
        .publish(&envelope(events::LEGAL_BASIS_ASSESSED, id, &assessed))
        .await;
    let timeline = service
        .wait_for_timeline(id, &alice, |timeline| {
            timeline_events(timeline).contains(&"legal_basis.assessed".to_owned())
        })
        .await;

    let deliveries = timeline_events(&timeline)
        .iter()
        .filter(|event| *event == "delivery.ready")
        .count();
    assert_eq!(deliveries, 1, "{timeline}");
    assert_eq!(timeline["state"], "delivered");
    let assessment = timeline_entry(&timeline, "legal_basis.assessed");
    assert_eq!(assessment["detail"]["stage"], "approval");
    assert_eq!(assessment["detail"]["version"], 1);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_in_unexpected_state_is_ignored() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let id = service.submitted_application("alice", &alice).await;
    let withdrawn = service
        .command(id, "withdraw", &alice, &json!({"reason": "funding ended"}))
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let failure = StepFailed {
        application_id: id,
        reason: "the cancer registry extract is missing".into(),
    };

    // Neither a delivery nor a failure may move a withdrawn case.
    service
        .publish(&envelope(events::DELIVERY_READY, id, &delivery_ready(id)))
        .await;
    service
        .publish(&envelope(events::LINKAGE_FAILED, id, &failure))
        .await;
    let timeline = service
        .wait_for_timeline(id, &handler, |timeline| {
            timeline_events(timeline).contains(&"linkage.failed".to_owned())
        })
        .await;

    assert_eq!(timeline["state"], "withdrawn");
    let ready = timeline_entry(&timeline, "delivery.ready");
    assert_eq!(ready["detail"]["ignored_in_state"], "withdrawn");
    let failed = timeline_entry(&timeline, "linkage.failed");
    assert_eq!(failed["detail"]["ignored_in_state"], "withdrawn");
    let read = service
        .get(&format!("/v1/applications/{id}"), &handler)
        .await;
    assert_eq!(read.body["state"], "withdrawn");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoke_publishes_permit_revoked() {
    let service = TestService::start().await;
    let alice = service.token("alice", &[Role::Applicant]);
    let handler = service.token("handler-1", &[Role::CaseHandler]);
    let decider = service.token("decider-2", &[Role::Decider]);
    let probe = common::EventProbe::bind(&service, "permit.revoked").await;
    let id = service
        .approved_application("alice", &alice, &handler)
        .await;
    let application = service
        .get(&format!("/v1/applications/{id}"), &alice)
        .await
        .body;
    let permit = cleared(&application);
    service
        .publish(&envelope(events::LEGAL_BASIS_CLEARED, id, &permit))
        .await;
    service.wait_for_state(id, &alice, "in-preparation").await;

    let revoked = service
        .command(
            id,
            "revoke",
            &decider,
            &json!({"reason": "ethics approval withdrawn"}),
        )
        .await;
    let event = probe.next_event("permit.revoked", id).await;

    assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    assert_eq!(revoked.body["state"], "revoked");
    assert_eq!(
        event["payload"]["permit_id"],
        json!(permit.permit.permit_id)
    );
    assert_eq!(event["payload"]["reason"], "ethics approval withdrawn");
    assert_eq!(event["payload"]["revoked_by"], "decider-2");
    probe.close().await;
    service.stop().await;
}
