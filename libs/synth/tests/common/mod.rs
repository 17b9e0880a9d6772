//! Helpers shared by the integration tests: generated fixture folders, a
//! CSV reader and an identity-number check written independently of the
//! generator.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use hap_synth::{RegistryFile, SynthOptions, SynthReport, generate};

/// A generated registry folder and its report.
pub struct Fixture {
    pub dir: PathBuf,
    pub report: SynthReport,
}

/// Generates a fixture into `<target tmp>/hap-synth-tests/<name>-<pid>`.
///
/// Each test process gets its own folder because test runners such as
/// nextest run tests of one binary in parallel processes, and `generate`
/// removes the report of a folder before writing it again.
fn fixture_at(name: &str, options: SynthOptions) -> Fixture {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hap-synth-tests");
    remove_stale_fixtures(&root, name);
    let dir = root.join(format!("{name}-{}", std::process::id()));
    let report = generate(&options, &dir).expect("generation failed");
    Fixture { dir, report }
}

/// Removes fixture folders of `name` left by processes that have ended.
/// Only where `/proc` lists processes (Linux); elsewhere folders stay.
fn remove_stale_fixtures(root: &Path, name: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    let prefix = format!("{name}-");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|text| text.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !proc.join(pid.to_string()).exists() {
            // Another process may remove the same folder at the same time.
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// 20,000 persons with the default dirty share, for distribution checks.
pub fn large() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| fixture_at("large", SynthOptions::new(20_000, 42)))
}

/// 5,000 persons with a 5% dirty share, for dirty-record checks.
pub fn dirty() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let options = SynthOptions {
            dirty_share: 0.05,
            ..SynthOptions::new(5_000, 7)
        };
        fixture_at("dirty", options)
    })
}

/// Reads the data rows of `file`, checking the header.
pub fn read_rows(dir: &Path, file: RegistryFile) -> Vec<Vec<String>> {
    let mut reader = csv::Reader::from_path(dir.join(file.file_name())).unwrap();
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(header, file.columns(), "header of {}", file.file_name());
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_string).collect())
        .collect()
}

pub fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

pub fn optional_date(text: &str) -> Option<NaiveDate> {
    (!text.is_empty()).then(|| date(text))
}

/// Returns whether `id` is 11 digits whose check digits satisfy the classic
/// mod-11 rule.
pub fn classic_check_holds(id: &str) -> bool {
    const FIRST: [u32; 10] = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1];
    const SECOND: [u32; 11] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];
    if id.len() != 11 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let digits: Vec<u32> = id.bytes().map(|b| u32::from(b - b'0')).collect();
    let first: u32 = FIRST.iter().zip(&digits).map(|(w, d)| w * d).sum();
    let second: u32 = SECOND.iter().zip(&digits).map(|(w, d)| w * d).sum();
    first.is_multiple_of(11) && second.is_multiple_of(11)
}

/// A person read back from `population.csv`.
pub struct PopulationRow {
    pub id: String,
    pub sex: String,
    pub birth: NaiveDate,
    pub municipality: String,
    pub death: Option<NaiveDate>,
    pub emigration: Option<NaiveDate>,
    pub former_dnumber: Option<String>,
}

impl PopulationRow {
    /// Returns the last day on which a registry may record an event.
    pub fn last_observed(&self) -> NaiveDate {
        let mut last = date("2024-12-31");
        for leaving in [self.death, self.emigration].into_iter().flatten() {
            last = last.min(leaving.pred_opt().unwrap());
        }
        last
    }
}

pub fn population(dir: &Path) -> Vec<PopulationRow> {
    read_rows(dir, RegistryFile::Population)
        .into_iter()
        .map(|row| PopulationRow {
            id: row[0].clone(),
            sex: row[1].clone(),
            birth: date(&row[2]),
            municipality: row[3].clone(),
            death: optional_date(&row[4]),
            emigration: optional_date(&row[5]),
            former_dnumber: (!row[6].is_empty()).then(|| row[6].clone()),
        })
        .collect()
}

/// Maps every ordinary number and former D-number to the person's index.
pub fn person_index(persons: &[PopulationRow]) -> HashMap<String, usize> {
    let mut index = HashMap::new();
    for (position, person) in persons.iter().enumerate() {
        index.insert(person.id.clone(), position);
        if let Some(dnumber) = &person.former_dnumber {
            index.insert(dnumber.clone(), position);
        }
    }
    index
}
