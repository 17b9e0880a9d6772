#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use hap_synth::{DirtyCounts, FileReport, RegistryFile};

const DIRTY_FILES: [RegistryFile; 5] = [
    RegistryFile::Cancer,
    RegistryFile::Birth,
    RegistryFile::Patient,
    RegistryFile::Quality,
    RegistryFile::QualityConsent,
];

/// Re-reads `file` and classifies each row the way a consumer would. An
/// identity field that is empty, 10 digits, or 11 digits failing the
/// classic check marks the row dirty. A row equal to an earlier row is a
/// duplicate. Panics on any other identifier shape.
fn reread(dir: &std::path::Path, file: RegistryFile) -> FileReport {
    let mut found = FileReport::default();
    let mut seen = HashSet::new();
    for row in common::read_rows(dir, file) {
        found.rows += 1;
        if !seen.insert(row.clone()) {
            found.dirty.exact_duplicate += 1;
            if file
                .identity_columns()
                .iter()
                .any(|&c| is_intact_dnumber(&row[c]))
            {
                found.dnumber_references += 1;
            }
            continue;
        }
        let mut dirty_fields = 0;
        for &column in file.identity_columns() {
            let id = &row[column];
            if id.is_empty() {
                found.dirty.missing_identifier += 1;
                dirty_fields += 1;
            } else if id.len() == 10 {
                found.dirty.leading_zero_lost += 1;
                dirty_fields += 1;
            } else if !common::classic_check_holds(id) {
                assert_eq!(id.len(), 11, "identifier of unexpected length {}", id.len());
                found.dirty.wrong_check_digit += 1;
                dirty_fields += 1;
            }
        }
        assert!(
            dirty_fields <= 1,
            "a row has {dirty_fields} dirty identifiers"
        );
        if file
            .identity_columns()
            .iter()
            .any(|&c| is_intact_dnumber(&row[c]))
        {
            found.dnumber_references += 1;
        }
    }
    found
}

fn is_intact_dnumber(id: &str) -> bool {
    common::classic_check_holds(id) && matches!(id.as_bytes()[0], b'4'..=b'7')
}

#[test]
fn dirty_counts_match_reread() {
    let fixture = common::dirty();
    for file in DIRTY_FILES {
        let found = reread(&fixture.dir, file);
        let reported = fixture.report.file(file);
        let name = file.file_name();
        assert_eq!(found.rows, reported.rows, "rows of {name}");
        assert_eq!(found.dirty, reported.dirty, "dirty rows of {name}");
        assert_eq!(
            found.dnumber_references, reported.dnumber_references,
            "D-number references of {name}"
        );
    }
}

#[test]
fn dirty_counts_match_reread_at_default_share() {
    let fixture = common::large();
    for file in DIRTY_FILES {
        let found = reread(&fixture.dir, file);
        let reported = fixture.report.file(file);
        assert_eq!(
            found.dirty,
            reported.dirty,
            "dirty rows of {}",
            file.file_name()
        );
    }
}

#[test]
fn every_dirty_kind_occurs() {
    let fixture = common::dirty();
    let mut total = DirtyCounts::default();
    for file in DIRTY_FILES {
        let dirty = fixture.report.file(file).dirty;
        total.wrong_check_digit += dirty.wrong_check_digit;
        total.leading_zero_lost += dirty.leading_zero_lost;
        total.missing_identifier += dirty.missing_identifier;
        total.exact_duplicate += dirty.exact_duplicate;
    }
    assert!(total.wrong_check_digit > 0);
    assert!(total.leading_zero_lost > 0);
    assert!(total.missing_identifier > 0);
    assert!(total.exact_duplicate > 0);
}

#[test]
fn dirty_share_near_requested() {
    let fixture = common::dirty();
    let patient = fixture.report.file(RegistryFile::Patient);
    let share = patient.dirty.total() as f64 / patient.rows as f64;
    assert!((0.04..0.06).contains(&share), "dirty share {share}");
}

#[test]
fn population_register_has_no_dirty_rows() {
    let fixture = common::dirty();
    let population = fixture.report.file(RegistryFile::Population);
    assert_eq!(population.dirty.total(), 0);
    assert_eq!(population.rows, 5_000);
    let persons = common::population(&fixture.dir);
    assert!(persons.iter().all(|p| common::classic_check_holds(&p.id)));
}

#[test]
fn zero_share_writes_no_dirty_rows() {
    let dir = tempfile::tempdir().unwrap();
    let options = hap_synth::SynthOptions {
        dirty_share: 0.0,
        ..hap_synth::SynthOptions::new(2_000, 3)
    };
    let report = hap_synth::generate(&options, dir.path()).unwrap();
    for file in DIRTY_FILES {
        assert_eq!(report.file(file).dirty.total(), 0, "{}", file.file_name());
        assert_eq!(
            reread(dir.path(), file).dirty.total(),
            0,
            "{}",
            file.file_name()
        );
    }
}

#[test]
fn registries_refer_to_former_dnumbers() {
    let fixture = common::large();
    let references: u64 = DIRTY_FILES
        .iter()
        .map(|&file| fixture.report.file(file).dnumber_references)
        .sum();
    assert!(references > 0);
    let persons = common::population(&fixture.dir);
    let dnumbers: HashSet<&str> = persons
        .iter()
        .filter_map(|p| p.former_dnumber.as_deref())
        .collect();
    let patient_rows = common::read_rows(&fixture.dir, RegistryFile::Patient);
    let by_dnumber = patient_rows
        .iter()
        .filter(|row| dnumbers.contains(row[0].as_str()))
        .count();
    assert!(by_dnumber > 0);
}
