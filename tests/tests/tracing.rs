#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One trace follows an application through every service: the trace
//! context of the client's requests travels over HTTP and in the AMQP
//! envelopes, every service exports spans of that trace over OTLP, and every
//! service's JSON log lines carry its trace id.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hap_client::scenario::{self, ApplicationSpec};
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, SERVICES, synthetic_registries};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

type Received = Arc<Mutex<BTreeMap<String, Vec<Vec<u8>>>>>;

/// Starts an OTLP/HTTP receiver on a thread of its own that keeps every
/// export body by service (the first path segment); returns its base URL.
/// It responds to each request and closes the connection, as HTTP/1.0 servers do.
fn start_receiver(received: Received) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let received = received.clone();
            std::thread::spawn(move || {
                if let Some((path, body)) = read_request(&stream) {
                    let service = path
                        .trim_start_matches('/')
                        .split('/')
                        .next()
                        .unwrap_or("")
                        .to_owned();
                    received
                        .lock()
                        .unwrap()
                        .entry(service)
                        .or_default()
                        .push(body);
                }
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/x-protobuf\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    base
}

/// Reads one request: its path and its body (by `content-length`).
fn read_request(stream: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1)?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((path, body))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_reaches_every_service() {
    let received: Received = Arc::default();
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
