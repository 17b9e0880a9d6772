#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs;

use hap_synth::{REPORT_FILE_NAME, RegistryFile, SynthOptions, SynthReport, generate};

fn file_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = RegistryFile::ALL
        .iter()
        .map(|file| file.file_name())
        .collect();
    names.push(REPORT_FILE_NAME);
    names
}

#[test]
fn same_seed_gives_same_bytes() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let options = SynthOptions::new(3_000, 11);
    generate(&options, first.path()).unwrap();
    generate(&options, second.path()).unwrap();
    for name in file_names() {
        let first_bytes = fs::read(first.path().join(name)).unwrap();
        let second_bytes = fs::read(second.path().join(name)).unwrap();
        assert!(!first_bytes.is_empty(), "{name} is empty");
        assert!(first_bytes == second_bytes, "{name} differs between runs");
    }
}

#[test]
fn other_seed_gives_other_population() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    generate(&SynthOptions::new(500, 1), first.path()).unwrap();
    generate(&SynthOptions::new(500, 2), second.path()).unwrap();
    let name = RegistryFile::Population.file_name();
    let first_bytes = fs::read(first.path().join(name)).unwrap();
    let second_bytes = fs::read(second.path().join(name)).unwrap();
    assert!(first_bytes != second_bytes);
}

#[test]
fn report_file_equals_returned_report() {
    let fixture = common::large();
    let text = fs::read_to_string(fixture.dir.join(REPORT_FILE_NAME)).unwrap();
    let written: SynthReport = serde_json::from_str(&text).unwrap();
    assert_eq!(written, fixture.report);
    assert_eq!(written.seed, 42);
    assert_eq!(written.persons, 20_000);
    assert_eq!(written.files.len(), RegistryFile::ALL.len());
}

#[test]
fn report_json_names_files_and_kinds() {
    let fixture = common::large();
    let text = fs::read_to_string(fixture.dir.join(REPORT_FILE_NAME)).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cancer = &json["files"]["cancer.csv"];
    assert!(cancer["rows"].is_u64());
    for kind in [
        "wrong_check_digit",
        "leading_zero_lost",
        "missing_identifier",
        "exact_duplicate",
    ] {
        assert!(cancer["dirty"][kind].is_u64(), "{kind} missing");
    }
    assert_eq!(json["number_series"], "synthetic");
}

#[test]
fn error_message_names_value_and_range() {
    let outcome = generate(&SynthOptions::new(0, 1), std::path::Path::new("unused"));
    let message = outcome.unwrap_err().to_string();
    assert!(message.contains("invalid number of persons 0"), "{message}");
    assert!(message.contains("expected 1 to"), "{message}");
}
