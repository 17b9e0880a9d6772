//! A service is killed with SIGKILL in the middle of its pipeline step, or
//! after the step committed but before the broker got the acknowledgement.
//! The broker redelivers the message to the restarted service, which runs
//! the step again or skips it, and the application ends in one delivery.

use std::time::Duration;

use hap_client::scenario;
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, PlatformOptions, Proxies, synthetic_registries};
use hap_testkit::EventObserver;

use crate::{PIPELINE_TIMEOUT, assert_delivered_once, observe, spec, wait_for_log};

/// Per-chunk delay on the database connections of a service about to be
/// killed. A step ends with a transaction of several round trips (the
/// effect, the outbox row, the inbox row, the commit), so with this delay
/// the step stays unfinished for well over a second after its start line.
const STEP_LATENCY: Duration = Duration::from_millis(100);

/// The step of each killed service: its consumer's start line and the line
/// it logs after the step's transaction commits.
const STEPS: [(&str, &str, &str); 3] = [
    ("linkage", "linkage run started", "linkage run completed"),
    ("anonymization", "anonymization started", "dataset released"),
    ("delivery", "delivery packaging started", "delivery ready"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_mid_step_delivers_once() {
    let registries = synthetic_registries(5_000, 33);
    let options = PlatformOptions {
        database: Proxies::PerService(STEPS.iter().map(|(service, _, _)| *service).collect()),
        ..PlatformOptions::default()
    };
    let mut platform = Platform::start_with(registries.path(), options).await;
    let mut observer = observe(&platform).await;
    let actors = platform.actors("researcher-kill");
    let key = SecretKey::generate();
    let spec = spec(&key);

    // Slowing the database only after start-up keeps migrations fast.
    for (service, _, _) in STEPS {
        platform.database_proxy(service).slow(STEP_LATENCY);
    }
    let approved = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .unwrap();

    // Each step is hit in its middle: its start line is in the log, and the
    // slowed database holds back the commit that precedes its end line.
    for (service, started, finished) in STEPS {
        wait_for_log(&platform, service, started, Duration::from_secs(60)).await;
        platform.kill(service);
        assert!(
            !platform.log(service).contains(finished),
            "{service} finished its step before it was killed:\n{}",
            platform.log(service)
        );
        platform.database_proxy(service).restore();
        platform.start_service(service);
    }

    let outcome = scenario::collect_delivery(
        &platform.endpoints,
        &actors,
        &spec,
        &approved,
        PIPELINE_TIMEOUT,
    )
    .await
    .unwrap_or_else(|error| panic!("{error}\n--- service logs ---\n{}", platform.logs()));

    for (service, started, finished) in STEPS {
        let log = platform.log(service);
        assert_eq!(
            log.matches(started).count(),
            2,
            "{service} runs its step once before and once after the kill:\n{log}"
        );
        assert_eq!(log.matches(finished).count(), 1, "{service}:\n{log}");
    }
    assert_delivered_once(&platform, &outcome, &mut observer).await;
}

/// The linkage commits its run, then dies before its acknowledgement reaches
/// the broker. The redelivered message finds its id in the inbox, so the run
/// is not repeated and `linkage.completed` is emitted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_after_commit_runs_once() {
    let registries = synthetic_registries(2_000, 37);
    let options = PlatformOptions {
        broker: Proxies::PerService(vec!["linkage"]),
        database: Proxies::PerService(vec!["linkage"]),
        ..PlatformOptions::default()
    };
    let mut platform = Platform::start_with(registries.path(), options).await;
    let mut observer = observe(&platform).await;
    let actors = platform.actors("researcher-commit");
    let key = SecretKey::generate();
    let spec = spec(&key);

    // The slowed database keeps the run from committing, and so from
    // acknowledging, before the broker connection is blackholed.
    platform.database_proxy("linkage").slow(STEP_LATENCY);
    let approved = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .unwrap();
    // Once the run has started, nothing the linkage sends reaches the broker:
    // neither the acknowledgement after the commit nor the relay's publish.
    wait_for_log(
        &platform,
        "linkage",
        "linkage run started",
        Duration::from_secs(60),
    )
    .await;
    let proxy = platform.broker_proxy("linkage");
    proxy.blackhole();
    let log = platform.log("linkage");
    assert!(
        !log.contains("linkage run completed"),
        "the linkage committed before its broker connection was blackholed:\n{log}"
    );
    wait_for_log(
        &platform,
        "linkage",
        "linkage run completed",
        Duration::from_secs(60),
    )
    .await;
    platform.kill("linkage");
    // A cut drops the bytes the blackhole held back, as the crash would
    // have, and closes the broker's side, so the broker requeues the message.
    let proxy = platform.broker_proxy("linkage");
    proxy.cut();
    proxy.restore();
    platform.database_proxy("linkage").restore();
    platform.start_service("linkage");

    let outcome = scenario::collect_delivery(
        &platform.endpoints,
        &actors,
        &spec,
        &approved,
        PIPELINE_TIMEOUT,
    )
    .await
    .unwrap_or_else(|error| panic!("{error}\n--- service logs ---\n{}", platform.logs()));

    let log = platform.log("linkage");
    assert_eq!(log.matches("linkage run started").count(), 1, "{log}");
    assert!(
        log.contains("message already processed"),
        "the redelivered message was not recognised:\n{log}"
    );
    assert_linkage_completed_once(&mut observer, outcome.application_id).await;
    assert_delivered_once(&platform, &outcome, &mut observer).await;
}

/// Checks that the broker carried one `linkage.completed` id for the
/// application; a second id would be a second run's result.
async fn assert_linkage_completed_once(observer: &mut EventObserver, application_id: uuid::Uuid) {
    observer.wait_for("linkage.completed", application_id).await;
    observer.receive_for(Duration::from_secs(1)).await;
    let ids: std::collections::BTreeSet<String> = observer
        .received("linkage.completed", application_id)
        .iter()
        .map(|e| e.id().to_string())
        .collect();
    assert_eq!(ids.len(), 1, "linkage.completed ids {ids:?}");
}
