#![allow(clippy::unwrap_used, clippy::expect_used)]
//! No identity number leaves the linkage service. One application runs
//! through the five services on synthetic registries, with rejected
//! consent rows, failing requests whose bodies carry identity numbers and a
//! message that a consumer dead-letters. Then the test searches for every
//! identity number of the population, as digits, `DDMMYY-NNNNN`,
//! `DDMMYY NNNNN`, and hex and base64 of its ASCII bytes. It searches every
//! service's log and exported span, every message on the test's broker
//! namespace, every response to a failed or partly rejected request, every
//! table of every database but the linkage service's, the shared work store
//! and the decrypted delivery.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_crypt4gh::SecretKey;
use hap_e2e::capture::{CapturedMessage, MessageCapture, drain_queues};
use hap_e2e::dump::dump_tables;
use hap_e2e::identity_scan::{IdentityScanner, registry_numbers};
use hap_e2e::otlp::{Received, span_lines, start_receiver};
use hap_e2e::{CONSUMERS, Platform, SERVICES, synthetic_registries};
use hap_messaging::{Broker, BrokerSettings, Envelope, Publisher};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(120);
/// The retry queues each consumer has with the default broker settings.
const RETRY_QUEUES: usize = 3;

/// Leaks found, one line per finding with its place.
#[derive(Default)]
struct Leaks(Vec<String>);

impl Leaks {
    /// Records every identity number in `bytes`, naming `place`.
    fn scan(&mut self, scanner: &IdentityScanner, place: &str, bytes: &[u8]) {
        for finding in scanner.scan(bytes) {
            self.0.push(format!("{place}: {finding}"));
        }
    }

    /// Records the identity numbers of each line of `text`, naming the line.
    fn scan_lines(&mut self, scanner: &IdentityScanner, place: &str, text: &str) {
        for (index, line) in text.lines().enumerate() {
            self.scan(
                scanner,
                &format!("{place} line {}", index + 1),
                line.as_bytes(),
            );
        }
    }

    fn report(&self) -> String {
        let first: Vec<&str> = self.0.iter().take(20).map(String::as_str).collect();
        format!("{} finding(s):\n{}", self.0.len(), first.join("\n"))
    }
}

/// Returns `number` with its last check digit changed, so the consent
/// service rejects it.
fn wrong_check_digit(number: &str) -> String {
    let last = number.as_bytes()[10] - b'0';
    format!("{}{}", &number[..10], (last + 1) % 10)
}

/// Sends `body` as JSON and returns the status and the response body.
async fn post_json(url: &str, token: &str, body: &str) -> (u16, String) {
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Publishes an `application.submitted` event whose payload does not match
/// the contract and carries `number`, so the consent service's consumer
/// moves it to its dead-letter queue. Returns the message id.
async fn publish_unreadable_event(platform: &Platform, number: &str) -> String {
    let mut settings = BrokerSettings::new(platform.broker_url());
    settings.namespace = platform.broker_namespace().to_owned();
    let broker = Broker::new(settings).unwrap();
    let payload = json!({
        "application_id": uuid::Uuid::new_v4(),
        "version": number,
        "project_id": number,
        "purpose": { "description": number },
    });
    let envelope =
        Envelope::new("application.submitted", 1, uuid::Uuid::new_v4(), &payload).unwrap();
    Publisher::new(broker.clone())
        .publish(&envelope)
        .await
        .unwrap();
    broker.close().await;
    envelope.id().as_uuid().to_string()
}

/// Returns the bytes to scan of a file: the cells of a Parquet file (its
/// pages are compressed), else the file itself.
fn readable(path: &Path) -> Vec<u8> {
    if path
        .extension()
        .is_some_and(|extension| extension == "parquet")
    {
        let table = hap_dataset::read_parquet(path)
            .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
        let mut text = String::new();
        for column in table.columns() {
            text.push_str(&column.name);
            for value in column.values.iter().flatten() {
                text.push('\n');
                text.push_str(value);
            }
            text.push('\n');
        }
        text.into_bytes()
    } else {
        std::fs::read(path).unwrap()
    }
}

/// Returns every file under `dir`.
fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(files_under(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn decrypt_into(outcome: &Outcome, key: &SecretKey, dir: &Path) {
    for file in &outcome.files {
        let plain_name = file.name.strip_suffix(".c4gh").unwrap();
        let mut plain = Vec::new();
        hap_crypt4gh::decrypt(file.bytes.as_slice(), &mut plain, key).unwrap();
        std::fs::write(dir.join(plain_name), plain).unwrap();
    }
}

/// Waits until `service`'s log contains `text`.
async fn wait_for_log(platform: &Platform, service: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !platform.log(service).contains(text) {
        assert!(
            Instant::now() < deadline,
            "the {service} log never contained `{text}`:\n{}",
            platform.log(service)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_numbers_stay_in_linkage() {
    let registries = synthetic_registries(5_000, 17);
    let consents = std::fs::read(registries.path().join("quality_consent.csv")).unwrap();
    let population: Vec<String> = registry_numbers(registries.path()).into_iter().collect();
    // JSON has no integer with a leading zero, so the number sent as an
    // integer starts with another digit.
    let person = population
        .iter()
        .find(|number| !number.starts_with('0'))
        .cloned()
        .unwrap();
    let mistyped = wrong_check_digit(&population[1]);
    let scanner = IdentityScanner::new(population.iter().cloned().chain([mistyped.clone()]));
    assert!(scanner.len() >= 5_000, "{} numbers", scanner.len());
    // The search finds the numbers in the registry extracts themselves.
    assert!(!scanner.scan(&consents).is_empty());

    let received = Received::default();
    let otlp = start_receiver(received.clone());
    let mut platform = Platform::start_with_otlp(registries.path(), Some(otlp)).await;
    let capture = MessageCapture::bind(platform.broker_url(), platform.broker_namespace()).await;
    let actors = platform.actors("researcher-9");
    let mut responses: Vec<(String, String)> = Vec::new();

    // Consent imports with rows the consent service rejects.
    let imported = scenario::import_consents(&platform.endpoints, &actors.steward, consents)
        .await
        .unwrap();
    responses.push(("the consent import".into(), imported.to_string()));
    let rejected_rows = format!(
        "person_id,event,event_date,source\n\
         {mistyped},given,2024-01-02,e-mail\n\
         {},maybe,2024-01-02,e-mail\n\
         {},given,2024-13-45,e-mail\n",
        population[2], population[3]
    );
    let imported = scenario::import_consents(
        &platform.endpoints,
        &actors.steward,
        rejected_rows.into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(
        imported["rejected"].as_array().map(Vec::len),
        Some(3),
        "{imported}"
    );
    responses.push(("the rejected consent rows".into(), imported.to_string()));

    // Requests that fail and carry an identity number in their body.
    let applications = format!("{}/v1/applications", platform.endpoints.applications);
    let feasibility = format!("{}/v1/feasibility", platform.endpoints.linkage);
    let failing = [
        (
            applications.clone(),
            actors.applicant.clone(),
            format!("{{\"title\": {person}}}"),
        ),
        (
            applications.clone(),
            actors.applicant.clone(),
            format!(
                "{{\"title\": \"t\", \"summary\": \"s\", \"purpose\": \
                 {{\"description\": \"d\", \"health_research\": \"{person}\", \"commercial\": false}}}}"
            ),
        ),
        (
            feasibility.clone(),
            actors.applicant.clone(),
            format!("{{\"criteria\": {{\"sex\": \"{person}\"}}}}"),
        ),
        (
            feasibility.clone(),
            actors.applicant.clone(),
            format!("{{\"criteria\": {{\"birth_year\": {{\"from\": \"{person}\"}}}}}}"),
        ),
    ];
    for (url, token, body) in failing {
        let (status, text) = post_json(&url, &token, &body).await;
        assert!((400..500).contains(&status), "POST {url} returned {status}");
        responses.push((format!("POST {url} ({status})"), text));
    }
    let consent_import = format!(
        "{}/v1/registries/quality/consent-events",
        platform.endpoints.consent
    );
    let response = reqwest::Client::new()
        .post(&consent_import)
        .bearer_auth(&actors.steward)
        .header("content-type", "text/csv")
        .body(format!("{person},given,2024-01-02,e-mail\n"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(status, 400, "a consent import without its header row");
    responses.push((
        format!("POST {consent_import} ({status})"),
        response.text().await.unwrap(),
    ));
    let response = reqwest::Client::new()
        .get(format!("{applications}/{person}"))
        .bearer_auth(&actors.applicant)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    assert_eq!(status, 400, "an application id that is no UUID");
    responses.push((
        format!("GET {applications}/<number> ({status})"),
        response.text().await.unwrap(),
    ));

    // A message the consent service cannot read ends as a dead letter.
    let unreadable_id = publish_unreadable_event(&platform, &person).await;
    wait_for_log(&platform, "consent", "dead-letter queue").await;

    // One application from submission to download.
    let key = SecretKey::generate();
    let spec = ApplicationSpec {
        project_id: None,
        title: "Colorectal cancer surgery outcomes".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: None,
    };
    let outcome = scenario::run(&platform.endpoints, &actors, &spec, TIMEOUT)
        .await
        .unwrap();
    let delivered = tempfile::tempdir().unwrap();
    decrypt_into(&outcome, &key, delivered.path());
    let command = format!("{applications}/{}/withdraw", outcome.application_id);
    let (status, text) = post_json(
        &command,
        &actors.applicant,
        &format!("{{\"reason\": {person}}}"),
    )
    .await;
    assert_eq!(status, 400, "a command whose reason is no text: {text}");
    responses.push((format!("POST {command} ({status})"), text));

    // Stopping the services flushes their span exports and logs.
    for service in SERVICES {
        assert!(
            platform
                .terminate(service, Duration::from_secs(10))
                .is_some(),
            "{service} did not stop within 10 s"
        );
    }
    let mut messages: Vec<CapturedMessage> = capture.messages();
    let queued = drain_queues(
        platform.broker_url(),
        platform.broker_namespace(),
        &CONSUMERS,
        RETRY_QUEUES,
    )
    .await;
    assert!(
        queued.iter().any(
            |message| message.message_id.as_deref() == Some(unreadable_id.as_str())
                && message.source.ends_with(".dead")
        ),
        "the unreadable event is not in a dead-letter queue"
    );
    messages.extend(queued);

    let mut logs = Leaks::default();
    for service in SERVICES {
        let log = platform.log(service);
        assert!(
            log.lines().count() > 3,
            "the {service} log is nearly empty:\n{log}"
        );
        logs.scan_lines(&scanner, &format!("{service}.log"), &log);
    }

    let mut spans = Leaks::default();
    let exports = received.lock().unwrap().clone();
    for service in SERVICES {
        let bodies = exports.get(service).cloned().unwrap_or_default();
        let lines: Vec<String> = bodies
            .iter()
            .flat_map(|body| span_lines(body).expect("an OTLP trace export"))
            .collect();
        assert!(!lines.is_empty(), "{service} exported no span");
        for line in &lines {
            spans.scan(&scanner, &format!("a span of {service}"), line.as_bytes());
        }
    }

    let mut broker = Leaks::default();
    assert!(messages.len() > 10, "{} messages captured", messages.len());
    for message in &messages {
        let place = format!(
            "message {:?} ({}) from {}",
            message.message_id, message.routing_key, message.source
        );
        broker.scan(
            &scanner,
            &format!("{place}, headers"),
            message.headers.as_bytes(),
        );
        // The body of the test's own unreadable event carries the number.
        if message.message_id.as_deref() != Some(unreadable_id.as_str()) {
            broker.scan(&scanner, &format!("{place}, body"), &message.body);
        }
    }

    let mut errors = Leaks::default();
    for (request, body) in &responses {
        errors.scan(&scanner, request, body.as_bytes());
    }

    let mut tables = Leaks::default();
    for service in SERVICES.iter().filter(|service| **service != "linkage") {
        let dumps = dump_tables(&platform.direct_database_url(service));
        let rows: usize = dumps.iter().map(|table| table.rows.len()).sum();
        assert!(rows > 0, "the {service} database is empty");
        for table in dumps {
            for (index, row) in table.rows.iter().enumerate() {
                let place = format!("{service} database, {} row {}", table.table, index + 1);
                tables.scan(&scanner, &place, row.as_bytes());
            }
        }
    }

    let mut files = Leaks::default();
    let delivered_files = files_under(delivered.path());
    let names: BTreeSet<String> = delivered_files
        .iter()
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(names.contains("data.parquet"), "{names:?}");
    let work_files = files_under(&platform.work_dir());
    assert!(!work_files.is_empty(), "the work store is empty");
    for path in delivered_files.iter().chain(&work_files) {
        files.scan(&scanner, &path.display().to_string(), &readable(path));
    }

    assert!(logs.0.is_empty(), "service logs: {}", logs.report());
    assert!(spans.0.is_empty(), "exported spans: {}", spans.report());
    assert!(broker.0.is_empty(), "broker messages: {}", broker.report());
    assert!(errors.0.is_empty(), "responses: {}", errors.report());
    assert!(tables.0.is_empty(), "databases: {}", tables.report());
    assert!(files.0.is_empty(), "files: {}", files.report());
}
