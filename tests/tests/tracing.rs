#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One trace follows an application through every service: the trace
//! context of the client's requests travels over HTTP and in the AMQP
//! envelopes, every service exports spans of that trace over OTLP, and every
//! service's JSON log lines carry its trace id.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hap_client::scenario::{self, ApplicationSpec};
use hap_crypt4gh::SecretKey;
use hap_e2e::otlp::{Received, start_receiver};
use hap_e2e::{Platform, SERVICES, synthetic_registries};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_reaches_every_service() {
    let received = Received::default();
    let base = start_receiver(received.clone());
    let registries = synthetic_registries(5_000, 3);
    let platform = Platform::start_with_otlp(registries.path(), Some(base)).await;
    let actors = platform.actors("researcher-3");
    let key = SecretKey::generate();
    let spec = ApplicationSpec {
        project_id: None,
        title: "Traced application".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: Some(format!("00-{TRACE_ID}-00f067aa0ba902b7-01")),
    };

    scenario::run(
        &platform.endpoints,
        &actors,
        &spec,
        Duration::from_secs(120),
    )
    .await
    .unwrap();

    // OTLP carries the trace id as 16 raw bytes.
    let trace_id: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&TRACE_ID[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    let missing = loop {
        let bodies = received.lock().unwrap().clone();
        let missing: Vec<&str> = SERVICES
            .iter()
            .copied()
            .filter(|service| {
                !bodies
                    .get(*service)
                    .is_some_and(|exports| exports.iter().any(|body| contains(body, &trace_id)))
            })
            .collect();
        if missing.is_empty() || Instant::now() > deadline {
            break missing;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let exported: BTreeMap<String, usize> = received
        .lock()
        .unwrap()
        .iter()
        .map(|(service, bodies)| (service.clone(), bodies.len()))
        .collect();
    assert!(
        missing.is_empty(),
        "no span of trace {TRACE_ID} was exported by {missing:?}; exports per service: {exported:?}"
    );

    let without_lines: Vec<&str> = SERVICES
        .iter()
        .copied()
        .filter(|service| {
            !platform
                .log(service)
                .lines()
                .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
                .any(|line| {
                    line["spans"]
                        .as_array()
                        .is_some_and(|spans| spans.iter().any(|span| span["trace_id"] == TRACE_ID))
                })
        })
        .collect();
    assert!(
        without_lines.is_empty(),
        "no JSON log line of trace {TRACE_ID} from {without_lines:?}"
    );
}
