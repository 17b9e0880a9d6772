//! A released dataset in the work store and the `anonymization.completed`
//! event that announces it.

use chrono::{NaiveDate, Utc};
use hap_contracts::application::{DisclosureLevel, Purpose, Recipient, RegistryRequest};
use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_contracts::events::{self, AnonymizationCompleted, Permit};
use hap_crypt4gh::SecretKey;
use hap_dataset::{Column, ColumnKind, Table};
use hap_kit::store::WorkStore;
use hap_messaging::Envelope;
use serde_json::json;
use uuid::Uuid;

/// Rows of the released table: enough for data files of several 64 KiB
/// Crypt4GH segments.
pub const ROWS: usize = 6_000;

/// A recipient with a key pair.
pub struct Person {
    pub subject: String,
    pub key: SecretKey,
}

impl Person {
    pub fn new(subject: &str) -> Person {
        Person {
            subject: subject.to_owned(),
            key: SecretKey::generate(),
        }
    }

    fn recipient(&self) -> Recipient {
        Recipient {
            subject: self.subject.clone(),
            public_key: self.key.public_key().to_pem(),
        }
    }
}

fn table() -> Table {
    let pseudonyms = (0..ROWS).map(|row| Some(format!("P{row:025}"))).collect();
    let years = (0..ROWS)
        .map(|row| Some(format!("{}", 1940 + (row * 7) % 60)))
        .collect();
    let sexes = (0..ROWS)
        .map(|row| Some(if row % 2 == 0 { "female" } else { "male" }.to_owned()))
        .collect();
    Table::new(vec![
        Column::new("pseudonym", ColumnKind::Text, pseudonyms),
        Column::new("birth_year", ColumnKind::Integer, years),
        Column::new("sex", ColumnKind::Text, sexes),
    ])
    .unwrap()
}

/// Writes a released dataset and its reports into `work` and returns the
/// event for a permit to `recipients` that ends on `valid_until`.
pub fn released(work: &WorkStore, recipients: &[&Person], valid_until: NaiveDate) -> Envelope {
    let application_id = Uuid::now_v7();
    let prefix = format!("applications/{application_id}");
    let dataset = work
        .put_with(&format!("{prefix}/released.parquet"), |out| {
            hap_dataset::write_parquet(&table(), out).map_err(std::io::Error::other)
        })
        .unwrap();
    let disclosure = json!({
        "settings": {"k": 5},
        "quasi_identifiers": [
            {"column": "birth_year", "level": 1, "max_level": 3, "level_name": "5-year bands"}
        ]
    });
    let report = work
        .put(
            &format!("{prefix}/disclosure-report.json"),
            &serde_json::to_vec(&disclosure).unwrap(),
        )
        .unwrap();
    let linkage_report = work
        .put(
            &format!("{prefix}/linkage-report.json"),
            &serde_json::to_vec(&json!({"cohort": ROWS})).unwrap(),
        )
        .unwrap();
    let permit = Permit {
        permit_id: Uuid::now_v7(),
        application_id,
        application_version: 1,
        project_id: Uuid::now_v7(),
        project_title: "Delivery test".into(),
        purpose: Purpose {
            description: "testing deliveries".into(),
            health_research: true,
            commercial: false,
        },
        registries: vec![RegistryRequest {
            registry: Registry::Cancer,
            variables: vec!["birth_year".into()],
        }],
        criteria: CohortCriteria {
            diagnosis_codes: vec!["C18".into()],
            diagnosed_from: None,
            diagnosed_to: None,
        },
        disclosure_level: DisclosureLevel::Pseudonymous,
        recipients: recipients.iter().map(|person| person.recipient()).collect(),
        valid_until,
        issued_at: Utc::now(),
    };
    let payload = AnonymizationCompleted {
        permit,
        dataset,
        report,
        linkage_report,
        k: 5,
        records_suppressed: 0,
        rows: ROWS as u64,
    };
    Envelope::new(
        events::ANONYMIZATION_COMPLETED,
        events::VERSION,
        application_id,
        &payload,
    )
    .unwrap()
}

/// Returns the permit of an `anonymization.completed` event.
pub fn permit_of(envelope: &Envelope) -> Permit {
    envelope
        .payload_as::<AnonymizationCompleted>()
        .unwrap()
        .permit
}

/// Returns the date a year from today.
pub fn next_year() -> NaiveDate {
    Utc::now().date_naive() + chrono::Duration::days(365)
}
