#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

//! Linkage of folders written by `hap-synth`: the report explains each dirty
//! record the generator counted, and a timing run on 100,000 persons.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_linkage::{FileReport, LinkageOutput, LinkageRequest, link, person_hash};
use hap_synth::{RegistryFile, SynthOptions, SynthReport, generate};

use common::{TEST_RULES, id};

const PROJECT_KEY: &[u8] = b"synth project";
const PLATFORM_KEY: &[u8] = b"synth platform";

fn every_variable() -> Vec<(Registry, Vec<String>)> {
    Registry::ALL
        .into_iter()
        .map(|registry| {
            let names = registry.variables().map(|v| v.name.to_owned()).collect();
            (registry, names)
        })
        .collect()
}

fn every_cancer() -> CohortCriteria {
    CohortCriteria {
        diagnosis_codes: (0..=9).map(|digit| format!("C{digit}")).collect(),
        diagnosed_from: None,
        diagnosed_to: None,
    }
}

/// Hashes of the persons whose last consent event in `quality_consent.csv`
/// is a withdrawal. Rows with an invalid number are skipped.
fn withdrawn_consents(dir: &Path) -> HashSet<[u8; 32]> {
    let mut reader = csv::Reader::from_path(dir.join("quality_consent.csv")).unwrap();
    let mut last_event: HashMap<String, (String, String)> = HashMap::new();
    for record in reader.records() {
        let record = record.unwrap();
        let (person, event, date) = (&record[0], &record[1], &record[2]);
        let entry = last_event
            .entry(person.to_owned())
            .or_insert_with(|| (date.to_owned(), event.to_owned()));
        if date >= entry.0.as_str() {
            *entry = (date.to_owned(), event.to_owned());
        }
    }
    last_event
        .into_iter()
        .filter(|(_, (_, event))| event == "withdrawn")
        .filter_map(|(person, _)| hap_identity::parse(&person, TEST_RULES).ok())
        .map(|number| person_hash(PLATFORM_KEY, &number))
        .collect()
}

/// Hashes of every valid number in `quality.csv`, as a consent list that
/// leaves no quality row out for lack of consent.
fn every_quality_person(dir: &Path) -> HashSet<[u8; 32]> {
    let mut reader = csv::Reader::from_path(dir.join("quality.csv")).unwrap();
    reader
        .records()
        .filter_map(|record| hap_identity::parse(&record.unwrap()[0], TEST_RULES).ok())
        .map(|number| person_hash(PLATFORM_KEY, &number))
        .collect()
}

/// Links every variable of every cancer patient, with `exclusions` and
/// every quality-registry person consented.
fn run(dir: &Path, exclusions: &HashMap<Registry, HashSet<[u8; 32]>>) -> LinkageOutput {
    let criteria = every_cancer();
    let variables = every_variable();
    let consented = HashMap::from([(Registry::Quality, every_quality_person(dir))]);
    let request = LinkageRequest {
        criteria: &criteria,
        variables: &variables,
        rules: TEST_RULES,
        platform_key: PLATFORM_KEY,
        project_key: PROJECT_KEY,
        exclusions,
        consented: &consented,
    };
    link(dir, &request).unwrap()
}

fn file(output: &LinkageOutput, registry: Registry) -> &FileReport {
    output
        .report
        .files
        .iter()
        .find(|file| file.registry == registry)
        .unwrap()
}

/// Checks that the report explains exactly the dirty records `synth`
/// counted in `file_name`.
fn assert_explains_dirt(report: &FileReport, synth: &SynthReport, synth_file: RegistryFile) {
    let name = report.file;
    let expected = synth.file(synth_file);
    let other = |pick: fn(&hap_linkage::InvalidIdentifierCounts) -> u64| -> u64 {
        report.other_identifiers.values().map(pick).sum()
    };

    assert_eq!(report.rows_read, expected.rows, "{name} rows");
    assert_eq!(
        report.accounted_rows(),
        report.rows_read,
        "{name} accounted"
    );

    assert_eq!(
        report.duplicates, expected.dirty.exact_duplicate,
        "{name} duplicates"
    );
    assert_eq!(
        report.invalid_identifier.checksum + other(|counts| counts.checksum),
        expected.dirty.wrong_check_digit,
        "{name} checksum"
    );
    assert_eq!(
        report.invalid_identifier.leading_zero_lost + other(|counts| counts.leading_zero_lost),
        expected.dirty.leading_zero_lost,
        "{name} leading zero lost"
    );
    assert_eq!(
        report.invalid_identifier.missing + other(|counts| counts.missing),
        expected.dirty.missing_identifier,
        "{name} missing"
    );

    let other_invalid = report.invalid_identifier.total()
        - report.invalid_identifier.checksum
        - report.invalid_identifier.leading_zero_lost
        - report.invalid_identifier.missing;
    assert_eq!(other_invalid, 0, "{name} other invalid reasons");

    assert_eq!(report.malformed, 0, "{name} malformed");
    assert_eq!(report.hnumber, 0, "{name} H-numbers");
    assert_eq!(report.ambiguous, 0, "{name} ambiguous");
    assert_eq!(report.not_found, 0, "{name} not found");
    assert!(
        report.linked_former_dnumber <= expected.dnumber_references,
        "{name} former D-numbers"
    );
    assert!(
        report.invalid_values.is_empty(),
        "{name} {:?}",
        report.invalid_values
    );
}

#[test]
fn report_explains_synth_dirt() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = SynthOptions::new(4_000, 11);
    options.dirty_share = 0.03;
    let synth = generate(&options, dir.path()).unwrap();
    let output = run(dir.path(), &HashMap::new());

    let population = file(&output, Registry::Population);
    assert_eq!(population.rows_read, 4_000);
    assert_eq!(population.linked_direct, 4_000);
    assert_eq!(output.report.spine.persons, 4_000);
    assert_eq!(
        output.report.spine.former_dnumbers,
        synth.spine.former_dnumbers
    );
    assert_eq!(output.report.spine.ambiguous_numbers, 0);

    let pairs = [
        (Registry::Cancer, RegistryFile::Cancer),
        (Registry::Birth, RegistryFile::Birth),
        (Registry::Patient, RegistryFile::Patient),
        (Registry::Quality, RegistryFile::Quality),
    ];
    let mut dirty_rows = 0;
    for (registry, synth_file) in pairs {
        assert_explains_dirt(file(&output, registry), &synth, synth_file);
        dirty_rows += synth.file(synth_file).dirty.total();
    }
    assert!(dirty_rows > 0, "the folder has no dirty rows to explain");
    let former: u64 = output
        .report
        .files
        .iter()
        .map(|f| f.linked_former_dnumber)
        .sum();
    assert!(former > 0, "no row linked through a former D-number");
    assert!(output.report.cohort_size > 0);
}

#[test]
fn withdrawn_consent_leaves_quality_rows_out() {
    let dir = tempfile::tempdir().unwrap();
    let synth = generate(&SynthOptions::new(20_000, 5), dir.path()).unwrap();
    let withdrawn = withdrawn_consents(dir.path());
    assert!(!withdrawn.is_empty(), "no withdrawn consent in the folder");
    let exclusions = HashMap::from([(Registry::Quality, withdrawn.clone())]);
    let output = run(dir.path(), &exclusions);
    let quality = file(&output, Registry::Quality);
    assert!(quality.excluded_by_consent > 0);
    assert_eq!(
        quality.accounted_rows(),
        synth.file(RegistryFile::Quality).rows
    );
    let summary = &output.report.exclusions[0];
    assert_eq!(summary.persons_listed, withdrawn.len() as u64);
    assert!(summary.persons_excluded > 0);

    // The statutory registries lose no row to the quality exclusions.
    let without = run(dir.path(), &HashMap::new());
    for registry in [
        Registry::Population,
        Registry::Cancer,
        Registry::Birth,
        Registry::Patient,
    ] {
        assert_eq!(
            file(&output, registry),
            file(&without, registry),
            "{registry}"
        );
    }
    assert_eq!(output.report.cohort_size, without.report.cohort_size);
    let surgeries = |output: &LinkageOutput| {
        let values = &output.table.column("surgery_date").unwrap().values;
        values.iter().filter(|value| value.is_some()).count()
    };
    assert!(surgeries(&output) < surgeries(&without));
}

#[test]
fn excluded_person_found_by_hash() {
    // `person_hash` and the hashes the engine computes agree.
    let dir = tempfile::tempdir().unwrap();
    generate(&SynthOptions::new(2_000, 3), dir.path()).unwrap();
    let mut reader = csv::Reader::from_path(dir.path().join("quality.csv")).unwrap();
    let first_valid = reader
        .records()
        .map(|record| record.unwrap()[0].to_owned())
        .find(|number| hap_identity::parse(number, TEST_RULES).is_ok())
        .expect("quality.csv has no valid number");
    let exclusions = HashMap::from([(
        Registry::Quality,
        HashSet::from([person_hash(PLATFORM_KEY, &id(&first_valid))]),
    )]);
    let output = run(dir.path(), &exclusions);
    assert_eq!(output.report.exclusions[0].persons_excluded, 1);
}

/// Run with `cargo test -p hap-linkage --release --test synth_folder --
/// --ignored --nocapture`.
#[test]
#[ignore = "timing run: generates and links 100,000 persons; use a release build"]
fn timing_100k_persons() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let synth = generate(&SynthOptions::new(100_000, 42), dir.path()).unwrap();
    let generated = started.elapsed();
    let rows: u64 = synth.files.values().map(|file| file.rows).sum();

    let withdrawn = withdrawn_consents(dir.path());
    let exclusions = HashMap::from([(Registry::Quality, withdrawn)]);
    let mut timings = Vec::new();
    let mut output = None;
    for _ in 0..3 {
        let started = Instant::now();
        output = Some(run(dir.path(), &exclusions));
        timings.push(started.elapsed());
    }
    let output = output.unwrap();
    println!("generated {rows} rows in {generated:.2?}");
    println!("linked all variables in {timings:.2?} (three runs)");
    println!("cohort {} persons", output.report.cohort_size);
    println!("{}", serde_json::to_string_pretty(&output.report).unwrap());
    for report in &output.report.files {
        assert_eq!(report.accounted_rows(), report.rows_read, "{}", report.file);
    }
}
