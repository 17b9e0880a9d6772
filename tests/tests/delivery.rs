#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A delivery end to end over the real service binaries. The recipient
//! decrypts every file with their secret key and finds it in the manifest,
//! and the Python `crypt4gh` tool decrypts the same files. Someone the
//! permit does not name gets 403 and no download in the log.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_client::{ApiError, ServiceClient};
use hap_crypt4gh::{KeyProtection, SecretKey};
use hap_e2e::{Platform, synthetic_registries};
use hap_kit::auth::Role;
use hap_package::{MANIFEST_FILE, Sha256Digest};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(180);
const RECIPIENT: &str = "researcher-7";

/// Decrypts every downloaded file with `key` into `dir` and returns the
/// plaintext names.
fn decrypt_all(outcome: &Outcome, key: &SecretKey, dir: &Path) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for file in &outcome.files {
        let plain_name = file.name.strip_suffix(".c4gh").unwrap().to_owned();
        let mut plain = Vec::new();
        hap_crypt4gh::decrypt(file.bytes.as_slice(), &mut plain, key)
            .unwrap_or_else(|error| panic!("decrypting {}: {error}", file.name));
        std::fs::write(dir.join(&plain_name), plain).unwrap();
        names.insert(plain_name);
    }
    names
}

/// Decrypts `encrypted` with the Python tool and the secret key file `key`.
fn python_decrypt(cli: &Path, key: &Path, encrypted: &[u8]) -> Vec<u8> {
    let input = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(input.path(), encrypted).unwrap();
    let output = Command::new(cli)
        .arg("decrypt")
        .arg("--sk")
        .arg(key)
        .env_remove("C4GH_PASSPHRASE")
        .stdin(std::fs::File::open(input.path()).unwrap())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "crypt4gh decrypt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipient_decrypts_every_file_and_others_get_403() {
    let registries = synthetic_registries(10_000, 5);
    let platform = Platform::start(registries.path()).await;
    let actors = platform.actors(RECIPIENT);
    let key = SecretKey::generate();
    let consents = std::fs::read(registries.path().join("quality_consent.csv")).unwrap();
    scenario::import_consents(&platform.endpoints, &actors.steward, consents)
        .await
        .unwrap();
    let spec = ApplicationSpec {
        project_id: None,
        title: "Delivery end to end".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: None,
    };
    // Pseudonymous microdata needs a decider other than the case handler.
    let decider = platform.token("decider-1", Role::Decider);
    let outcome =
        scenario::run_with_decider(&platform.endpoints, &actors, Some(&decider), &spec, TIMEOUT)
            .await
            .unwrap();

    // Every file decrypts with the recipient's key and matches the manifest,
    // and the manifest lists exactly the files delivered.
    let dir = tempfile::tempdir().unwrap();
    let names = decrypt_all(&outcome, &key, dir.path());
    let manifest = hap_package::verify_manifest(dir.path()).unwrap();
    let listed: BTreeSet<String> = manifest
        .files
        .iter()
        .map(|entry| entry.name.clone())
        .chain([MANIFEST_FILE.to_owned()])
        .collect();
    assert_eq!(names, listed);
    for entry in &manifest.files {
        let bytes = std::fs::read(dir.path().join(&entry.name)).unwrap();
        assert_eq!(bytes.len() as u64, entry.size, "{}", entry.name);
        assert_eq!(Sha256Digest::of(&bytes), entry.sha256, "{}", entry.name);
    }
    for expected in [
        "data.parquet",
        "data.csv",
        "codebook.json",
        "codebook.md",
        "README.md",
    ] {
        assert!(names.contains(expected), "{expected} was not delivered");
    }

    // The Python tool decrypts the same files to the same bytes.
    match std::env::var_os("HAP_CRYPT4GH_CLI") {
        None => eprintln!(
            "Python decryption skipped: HAP_CRYPT4GH_CLI is not set (tools/install-crypt4gh-cli.sh)"
        ),
        Some(cli) => {
            let key_file = dir.path().join("recipient.sec");
            std::fs::write(&key_file, key.to_pem(KeyProtection::None).unwrap()).unwrap();
            for file in &outcome.files {
                let plain = python_decrypt(Path::new(&cli), &key_file, &file.bytes);
                let ours = std::fs::read(dir.path().join(file.name.strip_suffix(".c4gh").unwrap()))
                    .unwrap();
                assert_eq!(
                    plain, ours,
                    "{} differs when the Python tool decrypts it",
                    file.name
                );
            }
        }
    }

    // Someone the permit does not name gets no grant and no file.
    let stranger = ServiceClient::new(
        &platform.endpoints.delivery,
        &platform.token("stranger", Role::Applicant),
    );
    let refused = stranger
        .post::<Value>(
            &format!("/v1/deliveries/{}/grants", outcome.delivery_id),
            &json!({}),
        )
        .await;
    assert!(
        matches!(&refused, Err(ApiError::Status { status, .. }) if status.as_u16() == 403),
        "{refused:?}"
    );
    let (status, _) = stranger
        .download(
            &format!("/v1/deliveries/{}/files/data.csv.c4gh", outcome.delivery_id),
            None,
        )
        .await
        .unwrap();
    assert_eq!(status.as_u16(), 403);

    // The log contains the recipient's downloads only, one per file, readable
    // by auditors and stewards.
    for reader in [
        platform.token("auditor-1", Role::Auditor),
        actors.steward.clone(),
    ] {
        let log: Value = ServiceClient::new(&platform.endpoints.delivery, &reader)
            .get(&format!("/v1/deliveries/{}/downloads", outcome.delivery_id))
            .await
            .unwrap();
        let items = log["items"].as_array().unwrap();
        assert_eq!(items.len(), outcome.files.len(), "{log}");
        for item in items {
            assert_eq!(item["subject"], RECIPIENT, "{item}");
        }
    }
}
