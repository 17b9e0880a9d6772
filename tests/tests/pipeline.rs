#![allow(clippy::unwrap_used, clippy::expect_used)]
//! One application from submission to a decrypted download, against the
//! real database, broker and service binaries.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use hap_client::ServiceClient;
use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, synthetic_registries};
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_kit::auth::Role;
use serde_json::Value;

const TIMEOUT: Duration = Duration::from_secs(180);

fn spec(project_id: Option<uuid::Uuid>, key: &SecretKey) -> ApplicationSpec {
    ApplicationSpec {
        project_id,
        title: "Colorectal cancer surgery outcomes".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: None,
    }
}

/// Decrypts every downloaded file into `dir` and checks the manifest.
fn decrypt_into(outcome: &Outcome, key: &SecretKey, dir: &Path) {
    for file in &outcome.files {
        let plain_name = file
            .name
            .strip_suffix(".c4gh")
            .expect("encrypted files end in .c4gh");
        let mut plain = Vec::new();
        hap_crypt4gh::decrypt(file.bytes.as_slice(), &mut plain, key)
            .expect("decrypting a delivered file");
        std::fs::write(dir.join(plain_name), plain).unwrap();
    }
    hap_package::verify_manifest(dir).expect("every decrypted file matches the manifest");
}

/// Returns every run of exactly 11 digits that is a valid identity number,
/// synthetic numbers included, except runs inside hex identifiers.
fn identity_numbers_in(bytes: &[u8]) -> Vec<String> {
    let rules = Rules {
        policy: ChecksumPolicy::Allow2032,
        profile: Profile::Test,
    };
    let mut found = Vec::new();
    let mut start = None;
    for (index, byte) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (byte.is_ascii_digit(), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                // Trace, span and message ids are hex: a digit run that
                // touches a hex letter belongs to one of them.
                let hex_before = from > 0 && bytes[from - 1].is_ascii_hexdigit();
                if index - from == 11 && !hex_before && !byte.is_ascii_hexdigit() {
                    let run = std::str::from_utf8(&bytes[from..index]).unwrap();
                    if hap_identity::parse(run, rules).is_ok() {
                        found.push(format!("{}*****", &run[..6]));
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}

fn pseudonyms(dir: &Path) -> BTreeSet<String> {
    let table = hap_dataset::read_parquet(&dir.join("data.parquet")).unwrap();
    table
        .column("pseudonym")
        .expect("pseudonymous microdata keep the pseudonym column")
        .values
        .iter()
        .flatten()
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn application_delivered_and_decrypted() {
    let registries = synthetic_registries(20_000, 7);
    let platform = Platform::start(registries.path()).await;
    let actors = platform.actors("researcher-1");
    let key = SecretKey::generate();
    let consents = std::fs::read(registries.path().join("quality_consent.csv")).unwrap();
    let imported = scenario::import_consents(&platform.endpoints, &actors.steward, consents)
        .await
        .unwrap();
    assert!(imported["accepted"].as_u64().unwrap() > 0, "{imported}");

    let first = scenario::run(&platform.endpoints, &actors, &spec(None, &key), TIMEOUT)
        .await
        .unwrap();
    let first_dir = tempfile::tempdir().unwrap();
    decrypt_into(&first, &key, first_dir.path());

    // No file of the delivery contains an identity number.
    for entry in std::fs::read_dir(first_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let found = identity_numbers_in(&std::fs::read(&path).unwrap());
        assert!(
            found.is_empty(),
            "{} holds identity numbers {found:?}",
            path.display()
        );
    }

    // Every group of quasi-identifiers contains at least k records.
    let report: Value = serde_json::from_slice(
        &std::fs::read(first_dir.path().join("disclosure-report.json")).unwrap(),
    )
    .unwrap();
    let k = report["settings"]["k"].as_u64().unwrap() as usize;
    assert_eq!(k, 5);
    let quasi: Vec<String> = report["quasi_identifiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["column"].as_str().unwrap().to_owned())
        .collect();
    assert!(quasi.contains(&"birth_date".to_owned()), "{quasi:?}");
    let data = hap_disclosure::Dataset::from_csv_str(
        &std::fs::read_to_string(first_dir.path().join("data.csv")).unwrap(),
        b',',
    )
    .unwrap();
    assert!(!data.is_empty());
    let columns: Vec<&str> = quasi.iter().map(String::as_str).collect();
    hap_disclosure::verify_k(&data, &columns, k).expect("the released data is k-anonymous");

    // A second delivery to the same project uses the same pseudonyms.
    let second = scenario::run(
        &platform.endpoints,
        &actors,
        &spec(Some(first.project_id), &key),
        TIMEOUT,
    )
    .await
    .unwrap();
    assert_ne!(second.delivery_id, first.delivery_id);
    let second_dir = tempfile::tempdir().unwrap();
    decrypt_into(&second, &key, second_dir.path());
    assert_eq!(pseudonyms(first_dir.path()), pseudonyms(second_dir.path()));

    // A third application in another project gets other pseudonyms.
    let other = scenario::run(&platform.endpoints, &actors, &spec(None, &key), TIMEOUT)
        .await
        .unwrap();
    let other_dir = tempfile::tempdir().unwrap();
    decrypt_into(&other, &key, other_dir.path());
    assert!(pseudonyms(first_dir.path()).is_disjoint(&pseudonyms(other_dir.path())));

    // Someone who is not a recipient gets 403, and no download is logged for them.
    let stranger = ServiceClient::new(
        &platform.endpoints.delivery,
        &platform.token("stranger", Role::Applicant),
    );
    let name = &first.files[0].name;
    let (status, _) = stranger
        .download(
            &format!("/v1/deliveries/{}/files/{name}", first.delivery_id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::FORBIDDEN);
    let auditor = ServiceClient::new(
        &platform.endpoints.delivery,
        &platform.token("auditor-1", Role::Auditor),
    );
    let log: Value = auditor
        .get(&format!("/v1/deliveries/{}/downloads", first.delivery_id))
        .await
        .unwrap();
    let subjects: BTreeSet<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, BTreeSet::from(["researcher-1"]));

    // A steward lists the linkage runs and releases of the application
    // only when its token names a registry the permit draws on.
    for (service, path) in [
        (&platform.endpoints.linkage, "/v1/runs"),
        (&platform.endpoints.anonymization, "/v1/releases"),
    ] {
        let path = format!("{path}?application_id={}", first.application_id);
        let listed = |registries: &[&str]| {
            let token = hap_testkit::dev_tokens::steward_token(
                &platform.dev_secret,
                "steward-2",
                registries,
                600,
            );
            let path = path.clone();
            async move {
                let reply: Value = ServiceClient::new(service, &token)
                    .get(&path)
                    .await
                    .unwrap();
                reply["items"].as_array().unwrap().len()
            }
        };
        assert_eq!(listed(&["cancer"]).await, 1, "{path}");
        assert_eq!(listed(&[]).await, 0, "{path}");
    }

    // A download interrupted halfway and resumed with a range request is identical.
    let applicant = ServiceClient::new(&platform.endpoints.delivery, &actors.applicant);
    let whole = &first
        .files
        .iter()
        .find(|f| f.name == "data.parquet.c4gh")
        .unwrap()
        .bytes;
    let half = whole.len() as u64 / 2;
    let grant: Value = applicant
        .post(
            &format!("/v1/deliveries/{}/grants", first.delivery_id),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    let (status, rest) = applicant
        .download(
            &format!(
                "/v1/deliveries/{}/files/data.parquet.c4gh?grant={}",
                first.delivery_id,
                grant["token"].as_str().unwrap()
            ),
            Some(half),
        )
        .await
        .unwrap();
    assert_eq!(status, reqwest::StatusCode::PARTIAL_CONTENT);
    assert_eq!([&whole[..half as usize], rest.as_slice()].concat(), *whole);

    // No log line of any service contains an identity number.
    let leaked = identity_numbers_in(platform.logs().as_bytes());
    assert!(
        leaked.is_empty(),
        "service logs hold identity numbers {leaked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linkage_killed_midrun_delivers_once() {
    let registries = synthetic_registries(60_000, 11);
    let mut platform = Platform::start(registries.path()).await;
    let actors = platform.actors("researcher-2");
    let key = SecretKey::generate();
    let spec = spec(None, &key);

    let endpoints = platform.endpoints.clone();
    let run = tokio::spawn({
        let actors = actors.clone();
        async move { scenario::run(&endpoints, &actors, &spec, TIMEOUT).await }
    });

    // Kill the linkage service as soon as its run has started.
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let log = platform.log("linkage");
        if log.contains("linkage run started") {
            assert!(
                !log.contains("linkage run completed"),
                "the run finished before it could be interrupted; use larger registries"
            );
            break;
        }
        if run.is_finished() {
            panic!(
                "the application ended before linkage started: {:?}",
                run.await
            );
        }
        assert!(
            std::time::Instant::now() < deadline,
            "linkage never started:\n{}",
            platform.logs()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    platform.kill("linkage");
    assert!(!platform.log("linkage").contains("linkage run completed"));
    platform.start_service("linkage");

    let outcome = run.await.unwrap().unwrap();
    let entries = outcome.timeline["entries"].as_array().unwrap();
    let count = |event: &str| entries.iter().filter(|e| e["event"] == event).count();
    assert_eq!(count("linkage.completed"), 1);
    assert_eq!(count("delivery.ready"), 1);

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
    assert_eq!(deliveries["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        platform
            .log("linkage")
            .matches("linkage run completed")
            .count(),
        1
    );

    let dir = tempfile::tempdir().unwrap();
    decrypt_into(&outcome, &key, dir.path());
}
