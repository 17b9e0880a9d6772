//! The database goes away in the middle of a run and comes back: nothing is
//! lost and the application ends in one delivery.
//!
//! Two kinds of outage are tested. One stops and starts a PostgreSQL server
//! private to the test, because the shared server must keep running for
//! parallel tests. The other cuts every connection through a proxy and
//! closes new ones at once until it is restored.

use std::time::Duration;

use hap_client::scenario;
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, PlatformOptions, Proxies, synthetic_registries};
use hap_testkit::PrivatePostgres;

use crate::{
    PIPELINE_TIMEOUT, assert_delivered_once, assert_every_event_published, observe, spec,
    wait_for_log,
};

/// Length of each outage. It is longer than the consumers' one-second pause
/// before they return a message whose database is unavailable, so they do.
const OUTAGE: Duration = Duration::from_secs(5);

/// Per-chunk delay on the linkage's database connections until the outage
/// ends. The linkage's run ends with several round trips (its project key,
/// then the transaction with its result), so the outage starts before the
/// run commits.
const STEP_LATENCY: Duration = Duration::from_millis(100);

/// Runs one application and calls `interrupt` once the linkage has started,
/// then `resume` after [`OUTAGE`]; checks that the linkage ran again, that
/// the application is delivered once and that every event was published.
/// `options` must route the linkage's database through a proxy.
async fn outage_midrun_loses_nothing(
    options: PlatformOptions,
    seed: u64,
    interrupt: impl FnOnce(&Platform),
    resume: impl FnOnce(&Platform),
) {
    let registries = synthetic_registries(5_000, seed);
    let platform = Platform::start_with(registries.path(), options).await;
    let mut observer = observe(&platform).await;
    let actors = platform.actors("researcher-database");
    let key = SecretKey::generate();
    let spec = spec(&key);

    platform.database_proxy("linkage").slow(STEP_LATENCY);
    let approved = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .unwrap();
    // The outage starts while the linkage runs, with anonymization and
    // delivery still ahead.
    wait_for_log(
        &platform,
        "linkage",
        "linkage run started",
        Duration::from_secs(60),
    )
    .await;
    interrupt(&platform);
    let log = platform.log("linkage");
    assert!(
        !log.contains("linkage run completed"),
        "the linkage finished before the outage:\n{log}"
    );

    // The outage is real: readiness fails while the database is away.
    let ready = reqwest::Client::new()
        .get(format!("{}/health/ready", platform.endpoints.applications))
        .timeout(OUTAGE)
        .send()
        .await;
    assert!(
        !ready.as_ref().is_ok_and(|r| r.status().is_success()),
        "the applications service is ready without its database: {ready:?}"
    );
    tokio::time::sleep(OUTAGE).await;
    resume(&platform);
    platform.database_proxy("linkage").restore();

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
    assert!(
        log.matches("linkage run started").count() >= 2,
        "the linkage did not run again after the outage:\n{log}"
    );
    assert_eq!(log.matches("linkage run completed").count(), 1, "{log}");
    assert_every_event_published(&platform, &mut observer).await;
    assert_delivered_once(&platform, &outcome, &mut observer).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_restart_midrun_loses_nothing() {
    if let Err(reason) = PrivatePostgres::binaries() {
        eprintln!("skipped: {reason}");
        return;
    }
    let server = PrivatePostgres::start();
    let options = PlatformOptions {
        database_server: Some(server.url()),
        database: Proxies::PerService(vec!["linkage"]),
        ..PlatformOptions::default()
    };
    outage_midrun_loses_nothing(options, 34, |_| server.stop(), |_| server.launch()).await;
    assert_eq!(
        server
            .log()
            .matches("database system is ready to accept connections")
            .count(),
        2,
        "the server started twice:\n{}",
        server.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_cut_midrun_loses_nothing() {
    let options = PlatformOptions {
        database: Proxies::Shared,
        ..PlatformOptions::default()
    };
    outage_midrun_loses_nothing(
        options,
        36,
        |platform| platform.database_proxy("linkage").cut(),
        |platform| platform.database_proxy("linkage").restore(),
    )
    .await;
}
