//! A message that fails on every attempt lands in its consumer's dead-letter
//! queue after the retries. Once the cause is fixed, `hapctl dead-letters
//! replay` sends it back and the pipeline completes.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use hap_client::ServiceClient;
use hap_client::scenario;
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, PlatformOptions, binary, synthetic_registries};
use serde_json::Value;

use crate::{PIPELINE_TIMEOUT, assert_delivered_once, observe, spec};

const CONSUMER: &str = "linkage-cleared";

/// Broker settings of the linkage service: three quick retries, so that a
/// failing message reaches the dead-letter queue within a second.
const LINKAGE_SETTINGS: &str = r#"
[broker]
retry_delays = ["100ms", "100ms", "100ms"]
"#;

/// Runs `hapctl dead-letters <arguments>` against the platform's namespace
/// and returns its standard output.
fn hapctl_dead_letters(platform: &Platform, arguments: &[&str]) -> String {
    let output = Command::new(binary("hapctl"))
        .arg("dead-letters")
        .args(arguments)
        .env("HAP__BROKER__URL", platform.broker_url())
        .env("HAP__BROKER__NAMESPACE", platform.broker_namespace())
        .output()
        .expect("running hapctl");
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "hapctl dead-letters {arguments:?} failed: {}{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Returns the dead letters of the consumer as JSON values.
fn dead_letters(platform: &Platform) -> Vec<Value> {
    hapctl_dead_letters(platform, &["list", CONSUMER])
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_replayed_after_fix() {
    let registries = synthetic_registries(2_000, 35);
    let settings = tempfile::NamedTempFile::with_suffix(".toml").unwrap();
    std::fs::write(settings.path(), LINKAGE_SETTINGS).unwrap();
    let options = PlatformOptions {
        env: vec![(
            "linkage",
            "HAP_CONFIG_FILE".into(),
            settings.path().display().to_string(),
        )],
        ..PlatformOptions::default()
    };
    let platform = Platform::start_with(registries.path(), options).await;
    let mut observer = observe(&platform).await;
    let actors = platform.actors("researcher-dead");
    let key = SecretKey::generate();
    let spec = spec(&key);

    // The cause: a file where the linkage writes its datasets' folder, so
    // every attempt fails writing to the work store, a transient error.
    let work = platform.folder.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let blocker = work.join("applications");
    std::fs::write(&blocker, b"not a folder").unwrap();

    let approved = scenario::approve(&platform.endpoints, &actors, Some(&actors.decider), &spec)
        .await
        .unwrap();
    let id = approved.application_id;
    let letters = wait_for_dead_letter(&platform, Duration::from_secs(60)).await;
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["type"], "legal_basis.cleared", "{letters:?}");
    assert_eq!(letters[0]["correlation_id"], id.to_string(), "{letters:?}");
    assert_eq!(letters[0]["reason"], "retries_exhausted", "{letters:?}");
    assert_eq!(letters[0]["attempts"], 4, "{letters:?}");

    // The application waits: no linkage result while the letter is dead.
    observer.receive_for(Duration::from_millis(500)).await;
    assert!(
        observer.received("linkage.completed", id).is_empty(),
        "{:?}",
        observer.all()
    );
    let applicant = ServiceClient::new(&platform.endpoints.applications, &actors.applicant);
    let timeline: Value = applicant
        .get(&format!("/v1/applications/{id}/timeline"))
        .await
        .unwrap();
    assert_ne!(timeline["state"], "delivered", "{timeline:#}");

    fix(&blocker);
    let replayed = hapctl_dead_letters(&platform, &["replay", CONSUMER]);
    assert!(
        replayed.contains(&format!("moved 1 messages back to the queue of {CONSUMER}")),
        "{replayed}"
    );

    let outcome = scenario::collect_delivery(
        &platform.endpoints,
        &actors,
        &spec,
        &approved,
        PIPELINE_TIMEOUT,
    )
    .await
    .unwrap_or_else(|error| panic!("{error}\n--- service logs ---\n{}", platform.logs()));
    assert!(dead_letters(&platform).is_empty());
    assert_delivered_once(&platform, &outcome, &mut observer).await;
}

/// Removes the file that blocks the work store.
fn fix(blocker: &Path) {
    std::fs::remove_file(blocker).unwrap();
}

/// Polls the dead-letter queue until it contains a message.
async fn wait_for_dead_letter(platform: &Platform, timeout: Duration) -> Vec<Value> {
    let deadline = Instant::now() + timeout;
    loop {
        let letters = dead_letters(platform);
        if !letters.is_empty() {
            return letters;
        }
        assert!(
            Instant::now() < deadline,
            "no dead letter for {CONSUMER} within {timeout:?}:\n{}",
            platform.log("linkage")
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
