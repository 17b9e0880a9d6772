#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use chrono::Datelike;
use hap_identity::{ChecksumPolicy, Kind, Profile, Rules};
use hap_synth::{NumberSeries, SynthOptions, generate};

fn two_digits(text: &str, at: usize) -> u32 {
    text[at..at + 2].parse().unwrap()
}

fn individual_number(id: &str) -> u32 {
    id[6..9].parse().unwrap()
}

/// Returns whether the century rule gives `year` for the individual number.
fn century_rule_holds(individual: u32, year: i32) -> bool {
    let two_digit_year = year % 100;
    match year {
        1900..=1999 => individual <= 499 || (individual >= 900 && two_digit_year >= 40),
        2000..=2039 => individual >= 500,
        _ => false,
    }
}

#[test]
fn spine_numbers_pass_check_digits() {
    let persons = common::population(&common::large().dir);
    for person in &persons {
        assert!(
            common::classic_check_holds(&person.id),
            "row with invalid person_id"
        );
        if let Some(dnumber) = &person.former_dnumber {
            assert!(
                common::classic_check_holds(dnumber),
                "row with invalid former_dnumber"
            );
        }
    }
}

#[test]
fn spine_numbers_are_unique() {
    let persons = common::population(&common::large().dir);
    let mut seen = HashSet::new();
    for person in &persons {
        assert!(seen.insert(person.id.clone()), "person_id repeated");
        if let Some(dnumber) = &person.former_dnumber {
            assert!(seen.insert(dnumber.clone()), "former_dnumber repeated");
        }
    }
}

#[test]
fn numbers_encode_birth_date_and_sex() {
    let persons = common::population(&common::large().dir);
    for person in &persons {
        let birth = person.birth;
        let id = &person.id;
        assert_eq!(two_digits(id, 0), birth.day());
        assert_eq!(two_digits(id, 2), birth.month() + 80);
        assert_eq!(two_digits(id, 4), birth.year().unsigned_abs() % 100);
        let individual = individual_number(id);
        assert!(
            century_rule_holds(individual, birth.year()),
            "century rule fails for {birth}"
        );
        assert_eq!(individual % 2 == 1, person.sex == "male");
    }
}

#[test]
fn dnumbers_encode_birth_date_and_sex() {
    let persons = common::population(&common::large().dir);
    let mut checked = 0;
    for person in &persons {
        let Some(dnumber) = &person.former_dnumber else {
            continue;
        };
        let birth = person.birth;
        assert_eq!(two_digits(dnumber, 0), birth.day() + 40);
        assert_eq!(two_digits(dnumber, 2), birth.month() + 80);
        assert_eq!(two_digits(dnumber, 4), birth.year().unsigned_abs() % 100);
        let individual = individual_number(dnumber);
        assert!(century_rule_holds(individual, birth.year()));
        assert_eq!(individual % 2 == 1, person.sex == "male");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} D-numbers");
}

#[test]
fn identity_crate_accepts_spine_numbers_as_synthetic() {
    let rules = Rules {
        policy: ChecksumPolicy::Classic,
        profile: Profile::Test,
    };
    let persons = common::population(&common::large().dir);
    for person in persons.iter().take(5_000) {
        let number = hap_identity::parse(&person.id, rules).unwrap();
        assert_eq!(number.kind(), Kind::Synthetic);
        assert_eq!(number.birth_date(), Some(person.birth));
        if let Some(dnumber) = &person.former_dnumber {
            let number = hap_identity::parse(dnumber, rules).unwrap();
            assert_eq!(number.kind(), Kind::Synthetic);
            assert_eq!(number.underlying_kind(), Kind::DNumber);
        }
    }
}

#[test]
fn ordinary_series_passes_production_profile() {
    let dir = tempfile::tempdir().unwrap();
    let options = SynthOptions {
        number_series: NumberSeries::Ordinary,
        ..SynthOptions::new(2_000, 5)
    };
    generate(&options, dir.path()).unwrap();
    let rules = Rules {
        policy: ChecksumPolicy::Classic,
        profile: Profile::Production,
    };
    let persons = common::population(dir.path());
    for person in &persons {
        assert!(two_digits(&person.id, 2) <= 12);
        let number = hap_identity::parse(&person.id, rules).unwrap();
        assert_eq!(number.kind(), Kind::Fnr);
        assert_eq!(number.birth_date(), Some(person.birth));
    }
}
