#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Consent withdrawals around the permit date, through the real services:
//! a withdrawal before the permit date keeps the person's quality-registry
//! data out of the delivery; one after it keeps the data in that delivery,
//! reaches the case timeline and keeps it out of the next delivery. A
//! person the consent service has no record of is left out too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use hap_client::ServiceClient;
use hap_client::scenario::{self, ApplicationSpec, Outcome};
use hap_crypt4gh::SecretKey;
use hap_e2e::{Platform, synthetic_registries};
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_kit::auth::Role;
use serde_json::Value;
use uuid::Uuid;

const TIMEOUT: Duration = Duration::from_secs(180);
/// The master key the harness gives the linkage service.
const MASTER_KEY_HEX: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
/// Persons who withdraw before the first permit, and after it.
const WITHDRAWING: usize = 25;
/// The quality-registry variables of the request.
const QUALITY_COLUMNS: [&str; 2] = ["procedure", "asa_score"];

const RULES: Rules = Rules {
    policy: ChecksumPolicy::Allow2032,
    profile: Profile::Test,
};

fn spec(project_id: Option<Uuid>, key: &SecretKey) -> ApplicationSpec {
    ApplicationSpec {
        project_id,
        title: "Colorectal cancer surgery outcomes".into(),
        request: scenario::colorectal_request(),
        public_key: key.public_key().to_pem(),
        traceparent: None,
    }
}

/// Returns the persons of the synthetic consent file whose only events are
/// `given` consents, in file order.
fn consenting_persons(consents: &str) -> Vec<String> {
    let mut events: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut order = Vec::new();
    for line in consents.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [person, event, ..] = fields[..] else {
            continue;
        };
        if hap_identity::parse(person, RULES).is_err() {
            continue;
        }
        if !events.contains_key(person) {
            order.push(person);
        }
        events.entry(person).or_default().push(event);
    }
    order
        .into_iter()
        .filter(|person| events[person].iter().all(|event| *event == "given"))
        .map(str::to_owned)
        .collect()
}

fn withdrawals(persons: &[String], date: chrono::NaiveDate) -> Vec<u8> {
    let mut csv = String::from("person_id,event,event_date,source\n");
    for person in persons {
        csv.push_str(&format!("{person},withdrawn,{date},e-mail\n"));
    }
    csv.into_bytes()
}

/// Decrypts the delivery into `dir`.
fn decrypt_into(outcome: &Outcome, key: &SecretKey, dir: &Path) {
    for file in &outcome.files {
        let plain_name = file.name.strip_suffix(".c4gh").unwrap();
        let mut plain = Vec::new();
        hap_crypt4gh::decrypt(file.bytes.as_slice(), &mut plain, key).unwrap();
        std::fs::write(dir.join(plain_name), plain).unwrap();
    }
}

/// Returns the pseudonyms of the delivered rows that hold quality-registry data.
fn with_quality_data(dir: &Path) -> BTreeSet<String> {
    let table = hap_dataset::read_parquet(&dir.join("data.parquet")).unwrap();
    let pseudonyms = &table.column("pseudonym").unwrap().values;
    let mut found = BTreeSet::new();
    for name in QUALITY_COLUMNS {
        let column = table
            .column(name)
            .unwrap_or_else(|| panic!("the delivery has no `{name}` column"));
        for (pseudonym, value) in pseudonyms.iter().zip(&column.values) {
            if let (Some(pseudonym), Some(_)) = (pseudonym, value) {
                found.insert(pseudonym.clone());
            }
        }
    }
    found
}

fn pseudonyms_of(persons: &[String], project_id: Uuid) -> BTreeSet<String> {
    let master = data_encoding::HEXLOWER
        .decode(MASTER_KEY_HEX.as_bytes())
        .unwrap();
    let project_key = hap_linkage::project_key(&master, project_id.as_bytes());
    persons
        .iter()
        .map(|person| {
            let id = hap_identity::parse(person, RULES).unwrap();
            hap_linkage::pseudonym(&project_key, &id)
        })
        .collect()
}

/// Returns the quality registry's entry in the delivered linkage report.
fn quality_exclusions(dir: &Path) -> Value {
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.join("linkage-report.json")).unwrap()).unwrap();
    report["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["registry"] == "quality")
        .cloned()
        .expect("the linkage report lists the quality registry's exclusions")
}

/// Polls the application's timeline until it has a `consent.withdrawn` entry.
async fn withdrawal_on_timeline(platform: &Platform, application_id: Uuid) -> Value {
    let handler = ServiceClient::new(
        &platform.endpoints.applications,
        &platform.token("handler-1", Role::CaseHandler),
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let timeline: Value = handler
            .get(&format!("/v1/applications/{application_id}/timeline"))
            .await
            .unwrap();
        let entry = timeline["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|entry| entry["event"] == "consent.withdrawn")
            .cloned();
        if let Some(entry) = entry {
            return entry;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no consent.withdrawn on the timeline: {timeline}\n{}",
            platform.logs()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn withdrawal_before_and_after_permit_date() {
    let registries = synthetic_registries(20_000, 7);
    let platform = Platform::start(registries.path()).await;
    let actors = platform.actors("researcher-1");
    let key = SecretKey::generate();
    let consents = std::fs::read_to_string(registries.path().join("quality_consent.csv")).unwrap();
    scenario::import_consents(
        &platform.endpoints,
        &actors.steward,
        consents.clone().into_bytes(),
    )
    .await
    .unwrap();
    let candidates = consenting_persons(&consents);
    assert!(
        candidates.len() >= 2 * WITHDRAWING,
        "{} consenting persons",
        candidates.len()
    );
    let before = &candidates[..WITHDRAWING];
    let after = &candidates[WITHDRAWING..2 * WITHDRAWING];
    let today = chrono::Utc::now().date_naive();

    // Withdrawn yesterday, before the permit date.
    let imported = scenario::import_consents(
        &platform.endpoints,
        &actors.steward,
        withdrawals(before, today - chrono::Duration::days(1)),
    )
    .await
    .unwrap();
    assert_eq!(imported["accepted"], WITHDRAWING as u64, "{imported}");

    let decider = platform.token("decider-1", Role::Decider);
    let first = scenario::run_with_decider(
        &platform.endpoints,
        &actors,
        Some(&decider),
        &spec(None, &key),
        TIMEOUT,
    )
    .await
    .unwrap();
    let first_dir = tempfile::tempdir().unwrap();
    decrypt_into(&first, &key, first_dir.path());
    let delivered = with_quality_data(first_dir.path());
    let before_pseudonyms = pseudonyms_of(before, first.project_id);
    let after_pseudonyms = pseudonyms_of(after, first.project_id);
    assert!(
        delivered.is_disjoint(&before_pseudonyms),
        "persons who withdrew before the permit date have quality data in the delivery"
    );
    let delivered_after: BTreeSet<&String> = delivered.intersection(&after_pseudonyms).collect();
    assert!(
        !delivered_after.is_empty(),
        "none of the persons who withdraw later has quality data in the first delivery"
    );

    // The release proves whom it left out: the digest of the list the
    // linkage applied is the one the permit records.
    let auditor = ServiceClient::new(
        &platform.endpoints.consent,
        &platform.token("handler-1", Role::CaseHandler),
    );
    let permits: Value = auditor
        .get(&format!(
            "/v1/applications/{}/permits",
            first.application_id
        ))
        .await
        .unwrap();
    let recorded = permits["items"][0]["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["registry"] == "quality")
        .cloned()
        .unwrap();
    let applied = quality_exclusions(first_dir.path());
    assert_eq!(applied["list_sha256"], recorded["sha256"]);
    assert_eq!(applied["persons_listed"], recorded["count"]);
    assert!(recorded["count"].as_u64().unwrap() >= WITHDRAWING as u64);

    // Withdrawn today, after the first permit was issued.
    scenario::import_consents(
        &platform.endpoints,
        &actors.steward,
        withdrawals(after, today),
    )
    .await
    .unwrap();
    let entry = withdrawal_on_timeline(&platform, first.application_id).await;
    assert_eq!(entry["detail"]["persons"], WITHDRAWING as u64, "{entry}");
    assert_eq!(entry["detail"]["registry"], "quality");

    let second = scenario::run_with_decider(
        &platform.endpoints,
        &actors,
        Some(&decider),
        &spec(Some(first.project_id), &key),
        TIMEOUT,
    )
    .await
    .unwrap();
    let second_dir = tempfile::tempdir().unwrap();
    decrypt_into(&second, &key, second_dir.path());
    let redelivered = with_quality_data(second_dir.path());
    assert!(redelivered.is_disjoint(&before_pseudonyms));
    assert!(
        redelivered.is_disjoint(&after_pseudonyms),
        "persons who withdrew after the first permit have quality data in the next delivery"
    );
    let applied = quality_exclusions(second_dir.path());
    assert_eq!(
        applied["persons_listed"].as_u64().unwrap(),
        recorded["count"].as_u64().unwrap() + WITHDRAWING as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn person_without_consent_record_left_out() {
    let registries = synthetic_registries(20_000, 8);
    let platform = Platform::start(registries.path()).await;
    let actors = platform.actors("researcher-2");
    let key = SecretKey::generate();
    let consents = std::fs::read_to_string(registries.path().join("quality_consent.csv")).unwrap();
    let candidates = consenting_persons(&consents);
    assert!(candidates.len() >= 2 * WITHDRAWING);
    // The consent service never hears of these persons, although the
    // quality registry holds their surgeries.
    let unrecorded: BTreeSet<&str> = candidates[..WITHDRAWING]
        .iter()
        .map(String::as_str)
        .collect();
    let recorded: String = consents
        .lines()
        .filter(|line| {
            let person = line.split(',').next().unwrap_or_default();
            !unrecorded.contains(person)
        })
        .map(|line| format!("{line}\n"))
        .collect();
    scenario::import_consents(&platform.endpoints, &actors.steward, recorded.into_bytes())
        .await
        .unwrap();

    let outcome = scenario::run(&platform.endpoints, &actors, &spec(None, &key), TIMEOUT)
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    decrypt_into(&outcome, &key, dir.path());
    let delivered = with_quality_data(dir.path());
    let unrecorded: Vec<String> = unrecorded.into_iter().map(str::to_owned).collect();
    assert!(
        delivered.is_disjoint(&pseudonyms_of(&unrecorded, outcome.project_id)),
        "persons without any consent record have quality data in the delivery"
    );
    let consenting = pseudonyms_of(&candidates[WITHDRAWING..], outcome.project_id);
    assert!(
        !delivered.is_disjoint(&consenting),
        "no consenting person has quality data in the delivery"
    );

    // The report accounts for them, against the list the permit records.
    let applied = quality_exclusions(dir.path());
    let without = applied["consented"]["persons_without_consent"]
        .as_u64()
        .unwrap();
    assert!(without >= WITHDRAWING as u64, "{applied}");
    let handler = ServiceClient::new(
        &platform.endpoints.consent,
        &platform.token("handler-1", Role::CaseHandler),
    );
    let permits: Value = handler
        .get(&format!(
            "/v1/applications/{}/permits",
            outcome.application_id
        ))
        .await
        .unwrap();
    let permitted = permits["items"][0]["exclusions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|list| list["registry"] == "quality")
        .cloned()
        .unwrap();
    assert_eq!(
        applied["consented"]["list_sha256"],
        permitted["consented"]["sha256"]
    );
    assert_eq!(
        applied["consented"]["persons_listed"],
        permitted["consented"]["count"]
    );
}
