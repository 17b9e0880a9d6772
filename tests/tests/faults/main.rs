#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Fault tolerance of the platform over the real service binaries: the
//! broker goes away, a service is killed in the middle of a step, the
//! database restarts, and a message fails until an operator replays it. In
//! each case the application ends in exactly one delivery and no event is
//! lost.

mod broker;
mod database;
mod dead_letters;
mod kill;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use hap_client::ServiceClient;
use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, SERVICES};
use hap_kit::auth::Role;
use hap_testkit::EventObserver;
use serde_json::Value;

/// Time from the approval to a downloadable delivery, outages included.
const PIPELINE_TIMEOUT: Duration = Duration::from_secs(150);

fn spec(key: &SecretKey) -> ApplicationSpec {
    ApplicationSpec {
        project_id: None,
        title: "Colorectal cancer surgery outcomes".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: None,
    }
}

/// Observes every event of the platform's namespace, on a connection of its
/// own that no proxy touches.
async fn observe(platform: &Platform) -> EventObserver {
    EventObserver::bind(platform.broker_url(), platform.broker_namespace(), "#").await
}

/// Waits until a service's log contains `line`.
///
/// # Panics
///
/// Panics with every service's log when it does not within `timeout`.
async fn wait_for_log(platform: &Platform, service: &str, line: &str, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    while !platform.log(service).contains(line) {
        assert!(
            Instant::now() < deadline,
            "the {service} log has no `{line}` after {timeout:?}:\n{}",
            platform.logs()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Checks that the application was delivered exactly once: one
/// `delivery.ready` on its timeline, one delivery in the delivery service,
/// and one `delivery.*` event id on the broker. A relay may publish the same
/// event twice, which consumers deduplicate, but a second id would be a
/// second delivery.
async fn assert_delivered_once(
    platform: &Platform,
    outcome: &Outcome,
    observer: &mut EventObserver,
) {
    let entries = outcome.timeline["entries"].as_array().unwrap();
    let on_timeline = |event: &str| entries.iter().filter(|e| e["event"] == event).count();
    assert_eq!(
        on_timeline("linkage.completed"),
        1,
        "{:#}",
        outcome.timeline
    );
    assert_eq!(
        on_timeline("anonymization.completed"),
        1,
        "{:#}",
        outcome.timeline
    );
    assert_eq!(on_timeline("delivery.ready"), 1, "{:#}", outcome.timeline);

    let auditor = ServiceClient::new(
        &platform.endpoints.delivery,
        &platform.token("auditor-1", Role::Auditor),
    );
    let deliveries: Value = auditor
        .get(&format!(
            "/v1/deliveries?application_id={}",
            outcome.application_id
        ))
        .await
        .unwrap();
    assert_eq!(
        deliveries["items"].as_array().unwrap().len(),
        1,
        "{deliveries:#}"
    );

    observer
        .wait_for("delivery.ready", outcome.application_id)
        .await;
    // A duplicate would follow within a relay poll or a redelivery.
    observer.receive_for(Duration::from_secs(2)).await;
    let delivery_events: BTreeSet<String> = observer
        .all()
        .iter()
        .filter(|e| e.correlation_id() == outcome.application_id)
        .filter(|e| e.message_type().as_str().starts_with("delivery."))
        .map(|e| e.id().to_string())
        .collect();
    assert_eq!(
        delivery_events.len(),
        1,
        "delivery events {delivery_events:?}"
    );
}

/// Waits until every outbox row of every service is marked published, then
/// checks that the broker carried each of them.
async fn assert_every_event_published(platform: &Platform, observer: &mut EventObserver) {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ids = Vec::new();
    for service in SERVICES {
        loop {
            let rows = platform.outbox(service);
            let pending: Vec<_> = rows.iter().filter(|row| !row.published).collect();
            if pending.is_empty() {
                ids.extend(rows.into_iter().map(|row| row.message_id));
                break;
            }
            assert!(
                Instant::now() < deadline,
                "{service} has unpublished events {pending:?}:\n{}",
                platform.log(service)
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    observer.wait_for_messages(&ids).await;
}
