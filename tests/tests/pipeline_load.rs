#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Many applications in flight at once through the five services: every one
//! is delivered, none is lost and none is delivered twice.
//!
//! `applications_in_flight_delivered_once` runs a short load in `make test`.
//! `pipeline_load_benchmark` is the full run that `make bench-pipeline`
//! starts on release builds; it prints the total time and the rate.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use hap_client::ServiceClient;
use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_contracts::events::{DELIVERY_FAILED, DELIVERY_READY};
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, synthetic_registries};
use hap_kit::auth::Role;
use hap_testkit::EventObserver;
use serde_json::Value;
use uuid::Uuid;

/// The wait for duplicate events after the last application was delivered.
/// The outbox relay polls every 500 ms, so a second publication of the same
/// event would arrive well within it.
const DUPLICATE_WAIT: Duration = Duration::from_secs(3);

/// Figures of one load run.
struct LoadReport {
    applications: usize,
    /// From the first request to the last downloaded delivery.
    total: Duration,
    /// From each approval to its downloadable delivery, sorted.
    pipeline_times: Vec<Duration>,
}

impl LoadReport {
    fn percentile(&self, percent: usize) -> Duration {
        let index = (self.pipeline_times.len() * percent).div_ceil(100);
        self.pipeline_times[index.saturating_sub(1)]
    }
}

/// Starts the platform on `persons` synthetic persons, runs `applications`
/// applications at once, each by its own applicant, and checks that every
/// one is delivered exactly once.
async fn run_in_flight(applications: usize, persons: usize, timeout: Duration) -> LoadReport {
    let registries = synthetic_registries(persons, 23);
    let platform = Platform::start(registries.path()).await;
    let steward = platform.token("steward-1", Role::Steward);
    let consents = std::fs::read(registries.path().join("quality_consent.csv")).unwrap();
    let imported = scenario::import_consents(&platform.endpoints, &steward, consents)
        .await
        .unwrap();
    assert!(imported["accepted"].as_u64().unwrap() > 0, "{imported}");
    let mut events = EventObserver::bind(
        platform.broker().url(),
        platform.broker().namespace(),
        "delivery.*",
    )
    .await;

    let key = SecretKey::generate();
    let started = Instant::now();
    let mut runs = tokio::task::JoinSet::new();
    for index in 0..applications {
        let endpoints = platform.endpoints.clone();
        let actors = platform.actors(&format!("load-applicant-{index}"));
        let spec = ApplicationSpec {
            project_id: None,
            title: format!("Colorectal cancer surgery outcomes {index}"),
            request: scenario::colorectal_request(),
            public_key: key.public_key().to_pem(),
            traceparent: None,
        };
        runs.spawn(async move { scenario::run(&endpoints, &actors, &spec, timeout).await });
    }
    let mut outcomes: Vec<Outcome> = Vec::with_capacity(applications);
    let mut failures = Vec::new();
    while let Some(joined) = runs.join_next().await {
        match joined.expect("an application task panicked") {
            Ok(outcome) => outcomes.push(outcome),
            Err(error) => failures.push(error.to_string()),
        }
    }
    let total = started.elapsed();
    assert!(
        failures.is_empty(),
        "{} of {applications} applications were not delivered:\n{}\n--- service logs ---\n{}",
        failures.len(),
        failures.join("\n"),
        platform.logs()
    );
    assert_eq!(outcomes.len(), applications);

    let ids: BTreeSet<Uuid> = outcomes.iter().map(|o| o.application_id).collect();
    assert_eq!(
        ids.len(),
        applications,
        "two runs returned the same application"
    );
    let deliveries: BTreeSet<Uuid> = outcomes.iter().map(|o| o.delivery_id).collect();
    assert_eq!(
        deliveries.len(),
        applications,
        "two applications share a delivery"
    );
    for outcome in &outcomes {
        assert!(
            !outcome.files.is_empty(),
            "application {} was delivered without files",
            outcome.application_id
        );
        let entries = outcome.timeline["entries"].as_array().unwrap();
        let ready = entries
            .iter()
            .filter(|entry| entry["event"] == DELIVERY_READY)
            .count();
        assert_eq!(
            ready, 1,
            "application {} has {ready} delivery.ready timeline entries",
            outcome.application_id
        );
    }

    check_deliveries_listed_once(&platform, &outcomes).await;
    check_delivery_events_once(&mut events, &ids).await;

    let mut pipeline_times: Vec<Duration> = outcomes.iter().map(|o| o.pipeline_time).collect();
    pipeline_times.sort();
    LoadReport {
        applications,
        total,
        pipeline_times,
    }
}

/// Checks that the delivery service lists exactly one delivery for each
/// application, the one its timeline names.
async fn check_deliveries_listed_once(platform: &Platform, outcomes: &[Outcome]) {
    let auditor = ServiceClient::new(
        &platform.endpoints.delivery,
        &platform.token("auditor-1", Role::Auditor),
    );
    for outcome in outcomes {
        let listed: Value = auditor
            .get(&format!(
                "/v1/deliveries?application_id={}",
                outcome.application_id
            ))
            .await
            .unwrap();
        let items = listed["items"].as_array().unwrap();
        assert_eq!(
            items.len(),
            1,
            "application {} has {} deliveries: {listed}",
            outcome.application_id,
            items.len()
        );
        assert_eq!(
            items[0]["id"].as_str(),
            Some(outcome.delivery_id.to_string().as_str()),
            "application {} lists another delivery than its timeline names",
            outcome.application_id
        );
    }
}

/// Checks that exactly one `delivery.ready` event and no `delivery.failed`
/// event was published for each application, and none for another.
async fn check_delivery_events_once(events: &mut EventObserver, ids: &BTreeSet<Uuid>) {
    events.receive_until_idle(DUPLICATE_WAIT).await;
    let mut ready: BTreeMap<Uuid, usize> = BTreeMap::new();
    for envelope in events.all() {
        let kind = envelope.message_type().as_str();
        let application = envelope.correlation_id();
        assert!(
            ids.contains(&application),
            "a {kind} event names application {application}, which no run created"
        );
        assert_ne!(
            kind, DELIVERY_FAILED,
            "delivery failed for application {application}"
        );
        if kind == DELIVERY_READY {
            *ready.entry(application).or_default() += 1;
        }
    }
    for id in ids {
        let count = ready.get(id).copied().unwrap_or(0);
        assert_eq!(
            count, 1,
            "application {id} has {count} delivery.ready events"
        );
    }
}

fn print_report(report: &LoadReport) {
    let seconds = report.total.as_secs_f64();
    eprintln!(
        "pipeline: {} applications in flight, each delivered once, in {seconds:.1} s: \
         {:.2} applications/s; approval to delivery p50 {:.1} s, p90 {:.1} s, max {:.1} s",
        report.applications,
        report.applications as f64 / seconds,
        report.percentile(50).as_secs_f64(),
        report.percentile(90).as_secs_f64(),
        report.percentile(100).as_secs_f64(),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_in_flight_delivered_once() {
    let report = run_in_flight(12, 2_000, Duration::from_secs(120)).await;
    print_report(&report);
}

/// Reads a positive whole number from the environment variable `name`.
fn setting(name: &str, default: usize) -> usize {
    match std::env::var(name) {
        Err(_) => default,
        Ok(text) => text
            .parse()
            .ok()
            .filter(|value| *value > 0)
            .unwrap_or_else(|| panic!("{name} is `{text}`; use a positive whole number")),
    }
}

/// Runs the full pipeline load: `HAP_BENCH_IN_FLIGHT` applications (100 by
/// default) on `HAP_BENCH_PERSONS` synthetic persons (20,000 by default).
/// `tools/bench/pipeline.sh` runs it on release builds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run by `make bench-pipeline` on release builds"]
async fn pipeline_load_benchmark() {
    let applications = setting("HAP_BENCH_IN_FLIGHT", 100);
    let persons = setting("HAP_BENCH_PERSONS", 20_000);
    let report = run_in_flight(applications, persons, Duration::from_secs(1_800)).await;
    print_report(&report);
}
