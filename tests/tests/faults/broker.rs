//! RabbitMQ unreachable: the HTTP API keeps working, events wait in the
//! outboxes, and once the broker is back every event is published and the
//! pipeline delivers.

use std::time::Duration;

use hap_client::scenario;
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, PlatformOptions, Proxies, synthetic_registries};
use hap_testkit::Proxy;

use crate::{PIPELINE_TIMEOUT, assert_delivered_once, assert_every_event_published, observe, spec};

/// Approves one application, then a second one while every service's broker
/// connection suffers `fault`, for `outage`, then restores the connection.
/// By then the applications service must have logged `relay_line`, which
/// shows how the fault reached its outbox relay.
///
/// The first application keeps the pipeline busy during the fault, and its
/// events open the publishers' channels, so the fault hits open connections
/// and channels as it would in production.
async fn outage_loses_no_event(fault: fn(&Proxy), outage: Duration, relay_line: &str, seed: u64) {
    let registries = synthetic_registries(2_000, seed);
    let options = PlatformOptions {
        broker: Proxies::Shared,
        ..PlatformOptions::default()
    };
    let platform = Platform::start_with(registries.path(), options).await;
    let mut observer = observe(&platform).await;
    let actors = platform.actors("researcher-broker");
    let key = SecretKey::generate();
    let spec = spec(&key);
    let proxy = platform.broker_proxy("applications");

    let first = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .unwrap();
    observer
        .wait_for("application.approved", first.application_id)
        .await;

    fault(proxy);
    let second = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .expect("creating, submitting and deciding need no broker");
    tokio::time::sleep(outage).await;

    // The pods stay ready, so Kubernetes keeps routing requests to them.
    let ready = reqwest::get(format!("{}/health/ready", platform.endpoints.applications))
        .await
        .unwrap();
    let status = ready.status();
    let body = ready.text().await.unwrap_or_default();
    assert_eq!(status, 200, "readiness during the broker outage: {body}");

    let log = platform.log("applications");
    assert!(log.contains(relay_line), "no `{relay_line}` in:\n{log}");

    // The decision is stored with its event, which waits for the broker.
    let waiting: Vec<_> = platform
        .outbox("applications")
        .into_iter()
        .filter(|row| !row.published)
        .map(|row| row.message_type)
        .collect();
    assert!(
        waiting.iter().any(|t| t == "application.approved"),
        "unpublished events {waiting:?}"
    );
    observer.receive_for(Duration::from_millis(200)).await;
    let crossed: Vec<_> = observer
        .all()
        .iter()
        .filter(|e| e.correlation_id() == second.application_id)
        .map(|e| e.message_type().as_str().to_owned())
        .collect();
    assert!(crossed.is_empty(), "events crossed the outage: {crossed:?}");

    proxy.restore();
    for approved in [&first, &second] {
        let outcome = scenario::collect_delivery(
            &platform.endpoints,
            &actors,
            &spec,
            approved,
            PIPELINE_TIMEOUT,
        )
        .await
        .unwrap_or_else(|error| panic!("{error}\n--- service logs ---\n{}", platform.logs()));
        assert_delivered_once(&platform, &outcome, &mut observer).await;
    }
    assert_every_event_published(&platform, &mut observer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_cut_loses_no_event() {
    outage_loses_no_event(
        Proxy::cut,
        Duration::from_secs(4),
        "broker or database unavailable",
        31,
    )
    .await;
}

/// The blackhole lasts past the publisher's 10-second confirm timeout, so the
/// relay gives up on its batch and publishes it again on a new channel once
/// the network heals.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_blackhole_loses_no_event() {
    outage_loses_no_event(
        Proxy::blackhole,
        Duration::from_secs(12),
        "RabbitMQ did not confirm message",
        32,
    )
    .await;
}
