#![allow(clippy::unwrap_used, clippy::expect_used)]

//! End-to-end runs of `link` on small registry folders written by the tests.

mod common;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::NaiveDate;
use hap_contracts::criteria::{CohortCriteria, Registry};
use hap_dataset::Table;
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::{
    FileReport, LinkageError, LinkageOutput, LinkageRequest, link, person_hash, pseudonym,
};

use common::*;

const PROJECT_KEY: &[u8] = b"project key of the colorectal study";
const PLATFORM_KEY: &[u8] = b"platform key";

/// The numbers of the scenario's persons and of its dirty records.
struct Scenario {
    dir: tempfile::TempDir,
    a: String,
    b: String,
    c: String,
    c_former: String,
    d: String,
    e: String,
    f: String,
    g: String,
    h: String,
    shared_former: String,
    helper: String,
    outsider: String,
    every_number: Vec<String>,
}

/// Writes the scenario folder.
///
/// Cohort criteria C18-C20 diagnosed 2010-2020 select A (two matching
/// diagnoses), C (through the former D-number), E and F. B has breast
/// cancer, D was diagnosed before 2010 and G's diagnosis date is invalid.
/// G and H both claim the same former D-number.
fn scenario() -> Scenario {
    let mut numbers = Numbers::new();
    let a = numbers.person(5, 5, 55);
    let b = numbers.person(10, 6, 60);
    let c = numbers.person(7, 7, 70);
    let c_former = numbers.dnumber(7, 7, 70);
    let d = numbers.person(20, 1, 50);
    let e = numbers.person(3, 3, 65);
    let f = numbers.person(8, 8, 58);
    let g = numbers.person(1, 2, 61);
    let h = numbers.person(2, 2, 62);
    let shared_former = numbers.dnumber(1, 2, 61);
    let helper = numbers.hnumber(4, 4, 44);
    let outsider = numbers.person(9, 9, 59);
    let child = numbers.person(2, 2, 85);
    let twin_one = numbers.person(3, 3, 83);
    let twin_two = numbers.person(3, 3, 83);
    let impossible_date = numbers.impossible_date();
    let no_century = numbers.no_century();
    assert!(a.starts_with('0'), "A needs a leading zero to lose");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    write_file(
        path,
        "population.csv",
        POPULATION_HEADER,
        &[
            format!("{a},female,1955-05-05,0301,,,"),
            format!("{b},male,1960-06-10,4601,,,"),
            format!("{c},female,1970-07-07,5001,2020-02-02,,{c_former}"),
            format!("{d},unknown,1950-01-20,1103,,,"),
            format!("{e},female,1965-03-03,1506,,2019-09-09,"),
            format!("{f},male,1958-08-08,3403,,,garbage"),
            format!("{g},male,1961-02-01,0301,,,{shared_former}"),
            format!("{h},female,1962-02-02,0301,,,{shared_former}"),
            format!("{b},male,1960-06-10,5001,,,"),
            format!("{d},unknown,1950-01-20,1103,,,"),
            ",female,1970-01-01,0301,,,".to_owned(),
            format!("{helper},male,1944-04-04,0301,,,"),
        ],
    );
    write_file(
        path,
        "cancer.csv",
        CANCER_HEADER,
        &[
            format!("{a},C18.7,2015-03-01,II"),
            format!("{a},C18.2,2012-05-05,I"),
            format!("{a},C18.2,2012-05-05,I"),
            format!("{b},C50.9,2016-01-01,III"),
            format!("{c_former},C20,2018-01-01,IV"),
            format!("{d},C19,2005-05-05,II"),
            format!("{e},C18.0,2014-04-04,"),
            format!("{f},C20.9,2019-12-31,II"),
            ",C18,2015-01-01,I".to_owned(),
            "abc,C18,2015-01-01,I".to_owned(),
            format!("{},C18,2015-01-01,I", &a[1..]),
            format!("{},C18,2015-01-01,I", wrong_check_digit(&b)),
            format!("{impossible_date},C18,2015-01-01,I"),
            format!("{no_century},C18,2015-01-01,I"),
            format!("{helper},C18,2015-01-01,I"),
            format!("{outsider},C18,2015-01-01,I"),
            format!("{a},C18"),
            format!("{shared_former},C18,2015-01-01,I"),
            format!("{g},C18.4,2015-13-01,V"),
        ],
    );
    write_file(
        path,
        "birth.csv",
        BIRTH_HEADER,
        &[
            format!("{a},{child},1985-02-02,3400,40"),
            format!("{a},{twin_one},1983-03-03,3100,39"),
            format!("{a},{twin_two},1983-03-03,2900,39"),
            format!("{c},,1995-05-05,abc,41"),
        ],
    );
    write_file(
        path,
        "patient.csv",
        PATIENT_HEADER,
        &[
            format!("{a},2011-01-01,2011-01-05,K50"),
            format!("{a},2011-01-01,2011-01-05,K50"),
            format!("{a},2010-06-01,2010-06-02,C18"),
            format!("{c_former},2009-09-09,2009-09-10,J45"),
            format!("{c},2012-01-01,2012-01-02,C20"),
            format!("{e},not-a-date,2014-01-01,C18"),
            format!("{outsider},2013-01-01,2013-01-02,I10"),
        ],
    );
    write_file(
        path,
        "quality.csv",
        QUALITY_HEADER,
        &[
            format!("{a},2012-06-01,JFB20,2"),
            format!("{e},2014-05-01,JFB30,3"),
            format!("{e},2014-06-01,JFB33,3"),
            format!("{f},2020-01-15,JFH10,5"),
            format!("{c},2018-02-01,JFB40,1"),
        ],
    );
    let every_number = vec![
        a.clone(),
        b.clone(),
        c.clone(),
        c_former.clone(),
        d.clone(),
        e.clone(),
        f.clone(),
        g.clone(),
        h.clone(),
        shared_former.clone(),
        helper.clone(),
        outsider.clone(),
        child,
        twin_one,
        twin_two,
        impossible_date,
        no_century,
    ];
    Scenario {
        dir,
        a,
        b,
        c,
        c_former,
        d,
        e,
        f,
        g,
        h,
        shared_former,
        helper,
        outsider,
        every_number,
    }
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

fn colorectal_criteria() -> CohortCriteria {
    CohortCriteria {
        diagnosis_codes: vec!["C18".into(), "C19".into(), "C20".into()],
        diagnosed_from: Some(date("2010-01-01")),
        diagnosed_to: Some(date("2020-12-31")),
    }
}

fn every_variable() -> Vec<(Registry, Vec<String>)> {
    Registry::ALL
        .into_iter()
        .map(|registry| {
            let names = registry.variables().map(|v| v.name.to_owned()).collect();
            (registry, names)
        })
        .collect()
}

/// The exclusion and consent lists a run applies.
#[derive(Default)]
struct Lists {
    exclusions: HashMap<Registry, HashSet<[u8; 32]>>,
    consented: HashMap<Registry, HashSet<[u8; 32]>>,
}

fn hashes_of<'a>(numbers: impl IntoIterator<Item = &'a String>) -> HashSet<[u8; 32]> {
    numbers
        .into_iter()
        .map(|number| person_hash(PLATFORM_KEY, &id(number)))
        .collect()
}

/// The lists of the quality registry: A, C, E and F consented; E is
/// excluded by current number, C by the former D-number under which the
/// consent service records C.
fn quality_lists(scenario: &Scenario) -> Lists {
    Lists {
        exclusions: HashMap::from([(
            Registry::Quality,
            hashes_of([&scenario.e, &scenario.c_former]),
        )]),
        consented: HashMap::from([(
            Registry::Quality,
            hashes_of([&scenario.a, &scenario.c, &scenario.e, &scenario.f]),
        )]),
    }
}

fn run(
    dir: &Path,
    variables: &[(Registry, Vec<String>)],
    lists: &Lists,
    project_key: &[u8],
) -> Result<LinkageOutput, LinkageError> {
    let criteria = colorectal_criteria();
    let request = LinkageRequest {
        criteria: &criteria,
        variables,
        rules: TEST_RULES,
        platform_key: PLATFORM_KEY,
        project_key,
        exclusions: &lists.exclusions,
        consented: &lists.consented,
    };
    link(dir, &request)
}

fn full_run(scenario: &Scenario) -> LinkageOutput {
    run(
        scenario.dir.path(),
        &every_variable(),
        &quality_lists(scenario),
        PROJECT_KEY,
    )
    .unwrap()
}

fn file(output: &LinkageOutput, registry: Registry) -> &FileReport {
    output
        .report
        .files
        .iter()
        .find(|file| file.registry == registry)
        .unwrap()
}

/// Returns the row of the person with `number`, as column name to value.
fn row_of(table: &Table, number: &str) -> HashMap<String, Option<String>> {
    let wanted = pseudonym(PROJECT_KEY, &id(number));
    let pseudonyms = &table.column("pseudonym").unwrap().values;
    let index = pseudonyms
        .iter()
        .position(|value| value.as_deref() == Some(wanted.as_str()))
        .unwrap_or_else(|| panic!("person not in the table"));
    table
        .columns()
        .iter()
        .map(|column| (column.name.clone(), column.values[index].clone()))
        .collect()
}

fn value(row: &HashMap<String, Option<String>>, column: &str) -> Option<String> {
    row.get(column)
        .unwrap_or_else(|| panic!("no column {column}"))
        .clone()
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

#[test]
fn cohort_is_matching_diagnoses() {
    let scenario = scenario();
    let output = full_run(&scenario);
    assert_eq!(output.report.cohort_size, 4);
    assert_eq!(output.table.num_rows(), 4);
    let mut expected: Vec<String> = [&scenario.a, &scenario.c, &scenario.e, &scenario.f]
        .into_iter()
        .map(|number| pseudonym(PROJECT_KEY, &id(number)))
        .collect();
    expected.sort();
    let actual: Vec<String> = output
        .table
        .column("pseudonym")
        .unwrap()
        .values
        .iter()
        .map(|value| value.clone().unwrap())
        .collect();
    assert_eq!(actual, expected);
}

#[test]
fn persons_outside_criteria_not_in_cohort() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let pseudonyms = &output.table.column("pseudonym").unwrap().values;
    // B has breast cancer, D was diagnosed in 2005, G's diagnosis date is
    // invalid, the outsider is not in the population register and the
    // shared former D-number links to no one.
    for number in [
        &scenario.b,
        &scenario.d,
        &scenario.g,
        &scenario.outsider,
        &scenario.shared_former,
    ] {
        let pseudonym = pseudonym(PROJECT_KEY, &id(number));
        assert!(!pseudonyms.contains(&Some(pseudonym)));
    }
}

#[test]
fn columns_follow_catalogue_order() {
    let scenario = scenario();
    let variables = vec![
        (Registry::Quality, vec!["asa_score".to_owned()]),
        (Registry::Population, vec!["sex".to_owned()]),
        (
            Registry::Cancer,
            vec!["stage".to_owned(), "icd10".to_owned()],
        ),
    ];
    let output = run(
        scenario.dir.path(),
        &variables,
        &quality_lists(&scenario),
        PROJECT_KEY,
    )
    .unwrap();
    let names: Vec<&str> = output
        .table
        .columns()
        .iter()
        .map(|column| column.name.as_str())
        .collect();
    assert_eq!(names, ["pseudonym", "sex", "icd10", "stage", "asa_score"]);
}

#[test]
fn first_matching_diagnosis_delivered() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "icd10"), some("C18.2"));
    assert_eq!(value(&a, "diagnosis_date"), some("2012-05-05"));
    assert_eq!(value(&a, "stage"), some("I"));
    let e = row_of(&output.table, &scenario.e);
    assert_eq!(value(&e, "stage"), None);
}

#[test]
fn population_values_delivered() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let c = row_of(&output.table, &scenario.c);
    assert_eq!(value(&c, "sex"), some("female"));
    assert_eq!(value(&c, "birth_date"), some("1970-07-07"));
    assert_eq!(value(&c, "municipality"), some("5001"));
    assert_eq!(value(&c, "death_date"), some("2020-02-02"));
    assert_eq!(value(&c, "emigration_date"), None);
    let e = row_of(&output.table, &scenario.e);
    assert_eq!(value(&e, "emigration_date"), some("2019-09-09"));
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "municipality"), some("0301"));
}

#[test]
fn birth_values_delivered() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "births_as_mother"), some("3"));
    // The twins of 1983 are the first births; the first listed twin wins.
    assert_eq!(value(&a, "first_child_birth_weight_g"), some("3100"));
    let c = row_of(&output.table, &scenario.c);
    assert_eq!(value(&c, "births_as_mother"), some("1"));
    assert_eq!(value(&c, "first_child_birth_weight_g"), None);
    let f = row_of(&output.table, &scenario.f);
    assert_eq!(value(&f, "births_as_mother"), some("0"));
}

#[test]
fn duplicate_rows_count_once() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "episodes"), some("2"));
    assert_eq!(value(&a, "first_episode_date"), some("2010-06-01"));
    assert_eq!(file(&output, Registry::Patient).duplicates, 1);
    assert_eq!(file(&output, Registry::Cancer).duplicates, 1);
    assert_eq!(file(&output, Registry::Population).duplicates, 1);
}

#[test]
fn former_dnumber_links_to_current_person() {
    let scenario = scenario();
    let output = full_run(&scenario);
    // C's only cancer record uses the former D-number.
    let c = row_of(&output.table, &scenario.c);
    assert_eq!(value(&c, "icd10"), some("C20"));
    assert_eq!(value(&c, "episodes"), some("2"));
    assert_eq!(value(&c, "first_episode_date"), some("2009-09-09"));
    assert_eq!(file(&output, Registry::Cancer).linked_former_dnumber, 1);
    assert_eq!(file(&output, Registry::Patient).linked_former_dnumber, 1);
    assert_eq!(output.report.spine.former_dnumbers, 1);
    let former_pseudonym = pseudonym(PROJECT_KEY, &id(&scenario.c_former));
    let pseudonyms = &output.table.column("pseudonym").unwrap().values;
    assert!(!pseudonyms.contains(&Some(former_pseudonym)));
}

#[test]
fn shared_former_dnumber_is_ambiguous() {
    let scenario = scenario();
    let output = full_run(&scenario);
    assert_eq!(output.report.spine.ambiguous_numbers, 1);
    assert_eq!(file(&output, Registry::Cancer).ambiguous, 1);
    for number in [&scenario.g, &scenario.h] {
        let pseudonym = pseudonym(PROJECT_KEY, &id(number));
        let pseudonyms = &output.table.column("pseudonym").unwrap().values;
        assert!(!pseudonyms.contains(&Some(pseudonym)));
    }
}

#[test]
fn hnumber_never_linked() {
    let scenario = scenario();
    let output = full_run(&scenario);
    // The same H-number is in the population register and in the cancer
    // registry with a matching diagnosis, and still links to no one.
    assert_eq!(file(&output, Registry::Population).hnumber, 1);
    assert_eq!(file(&output, Registry::Cancer).hnumber, 1);
    let helper = hap_identity::parse(&scenario.helper, TEST_RULES).unwrap();
    let pseudonyms = &output.table.column("pseudonym").unwrap().values;
    assert!(!pseudonyms.contains(&Some(pseudonym(PROJECT_KEY, &helper))));
}

#[test]
fn cancer_report_explains_every_row() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let cancer = file(&output, Registry::Cancer);
    assert_eq!(cancer.rows_read, 19);
    assert_eq!(cancer.duplicates, 1);
    assert_eq!(cancer.malformed, 1);
    assert_eq!(cancer.invalid_identifier.missing, 1);
    assert_eq!(cancer.invalid_identifier.format, 1);
    assert_eq!(cancer.invalid_identifier.leading_zero_lost, 1);
    assert_eq!(cancer.invalid_identifier.checksum, 1);
    assert_eq!(cancer.invalid_identifier.date, 1);
    assert_eq!(cancer.invalid_identifier.century, 1);
    assert_eq!(cancer.invalid_identifier.not_allowed_in_profile, 0);
    assert_eq!(cancer.hnumber, 1);
    assert_eq!(cancer.not_found, 1);
    assert_eq!(cancer.ambiguous, 1);
    assert_eq!(cancer.linked_direct, 7);
    assert_eq!(cancer.linked_former_dnumber, 1);
    assert_eq!(cancer.excluded_by_consent, 0);
    assert_eq!(cancer.invalid_values.get("diagnosis_date"), Some(&1));
    assert_eq!(cancer.invalid_values.get("stage"), Some(&1));
    assert_eq!(cancer.linkage_rate, Some(8.0 / 18.0));
}

#[test]
fn population_report_explains_every_row() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let population = file(&output, Registry::Population);
    assert_eq!(population.rows_read, 12);
    assert_eq!(population.duplicates, 1);
    assert_eq!(population.repeated_identity, 1);
    assert_eq!(population.invalid_identifier.missing, 1);
    assert_eq!(population.hnumber, 1);
    assert_eq!(population.linked_direct, 8);
    assert_eq!(population.invalid_values.get("sex"), Some(&1));
    assert_eq!(population.invalid_values.get("former_dnumber"), Some(&1));
    assert_eq!(output.report.spine.persons, 8);
}

#[test]
fn repeated_identity_keeps_first_row() {
    let scenario = scenario();
    let mut criteria = colorectal_criteria();
    criteria.diagnosis_codes = vec!["C50".into()];
    let variables = vec![(Registry::Population, vec!["municipality".to_owned()])];
    let exclusions = HashMap::new();
    let request = LinkageRequest {
        criteria: &criteria,
        variables: &variables,
        rules: TEST_RULES,
        platform_key: PLATFORM_KEY,
        project_key: PROJECT_KEY,
        exclusions: &exclusions,
        consented: &HashMap::new(),
    };
    let output = link(scenario.dir.path(), &request).unwrap();
    let b = row_of(&output.table, &scenario.b);
    assert_eq!(value(&b, "municipality"), some("4601"));
}

#[test]
fn every_row_accounted_once() {
    let scenario = scenario();
    let output = full_run(&scenario);
    assert_eq!(output.report.files.len(), Registry::ALL.len());
    for report in &output.report.files {
        assert!(report.rows_read > 0, "{}", report.file);
        assert_eq!(report.accounted_rows(), report.rows_read, "{}", report.file);
    }
}

#[test]
fn exclusions_apply_to_quality_only() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let quality = file(&output, Registry::Quality);
    assert_eq!(quality.excluded_by_consent, 3);
    assert_eq!(quality.linked_direct, 2);
    let e = row_of(&output.table, &scenario.e);
    assert_eq!(value(&e, "surgery_date"), None);
    assert_eq!(value(&e, "procedure"), None);
    assert_eq!(value(&e, "asa_score"), None);
    // E's data from the statutory registries stays.
    assert_eq!(value(&e, "icd10"), some("C18.0"));
    assert_eq!(value(&e, "birth_date"), some("1965-03-03"));
    assert_eq!(value(&e, "episodes"), some("1"));
    for registry in [
        Registry::Population,
        Registry::Cancer,
        Registry::Birth,
        Registry::Patient,
    ] {
        assert_eq!(file(&output, registry).excluded_by_consent, 0, "{registry}");
    }
}

#[test]
fn exclusion_by_former_dnumber_hash() {
    let scenario = scenario();
    let output = full_run(&scenario);
    // The list contains the hash of C's former D-number, and C's quality
    // row uses the current number.
    let c = row_of(&output.table, &scenario.c);
    assert_eq!(value(&c, "surgery_date"), None);
    assert_eq!(value(&c, "icd10"), some("C20"));
}

#[test]
fn included_quality_values_delivered() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "surgery_date"), some("2012-06-01"));
    assert_eq!(value(&a, "procedure"), some("JFB20"));
    assert_eq!(value(&a, "asa_score"), some("2"));
    let f = row_of(&output.table, &scenario.f);
    assert_eq!(value(&f, "procedure"), some("JFH10"));
    assert_eq!(value(&f, "asa_score"), None);
    assert_eq!(
        file(&output, Registry::Quality)
            .invalid_values
            .get("asa_score"),
        Some(&1)
    );
}

#[test]
fn exclusion_summary_reported() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let [summary] = output.report.exclusions.as_slice() else {
        panic!("expected one exclusion summary");
    };
    assert_eq!(summary.registry, Registry::Quality);
    assert_eq!(summary.persons_listed, 2);
    assert_eq!(summary.persons_excluded, 2);
    assert_eq!(summary.list_sha256.len(), 64);
}

#[test]
fn person_without_consent_left_out() {
    let scenario = scenario();
    let mut lists = quality_lists(&scenario);
    lists.consented = HashMap::from([(
        Registry::Quality,
        hashes_of([&scenario.a, &scenario.c, &scenario.e]),
    )]);
    let output = run(scenario.dir.path(), &every_variable(), &lists, PROJECT_KEY).unwrap();
    let quality = file(&output, Registry::Quality);
    assert_eq!(quality.without_consent, 1);
    assert_eq!(quality.excluded_by_consent, 3);
    assert_eq!(quality.linked_direct, 1);
    assert_eq!(quality.accounted_rows(), quality.rows_read);
    let f = row_of(&output.table, &scenario.f);
    assert_eq!(value(&f, "procedure"), None);
    assert_eq!(value(&f, "surgery_date"), None);
    // F's data from the statutory registries stays.
    assert_eq!(value(&f, "birth_date"), some("1958-08-08"));
    let a = row_of(&output.table, &scenario.a);
    assert_eq!(value(&a, "procedure"), some("JFB20"));

    let [summary] = output.report.exclusions.as_slice() else {
        panic!("expected one summary");
    };
    let consented = summary.consented.as_ref().unwrap();
    assert_eq!(consented.persons_listed, 3);
    assert_eq!(consented.persons_without_consent, 1);
    assert_eq!(consented.list_sha256.len(), 64);
}

#[test]
fn empty_consent_list_leaves_out_every_quality_row() {
    let scenario = scenario();
    let lists = Lists {
        exclusions: HashMap::new(),
        consented: HashMap::from([(Registry::Quality, HashSet::new())]),
    };
    let output = run(scenario.dir.path(), &every_variable(), &lists, PROJECT_KEY).unwrap();
    let quality = file(&output, Registry::Quality);
    assert_eq!(quality.without_consent, quality.rows_read);
    assert_eq!(quality.linked_direct + quality.linked_former_dnumber, 0);
}

#[test]
fn consent_based_registry_needs_consent_list() {
    let scenario = scenario();
    let mut lists = quality_lists(&scenario);
    lists.consented.clear();
    let error = run(scenario.dir.path(), &every_variable(), &lists, PROJECT_KEY).unwrap_err();
    assert!(matches!(
        error,
        LinkageError::ConsentListMissing {
            registry: Registry::Quality
        }
    ));
    assert!(error.to_string().contains("consented persons"), "{error}");
}

#[test]
fn opt_out_excludes_from_statutory_registry() {
    let scenario = scenario();
    let mut lists = quality_lists(&scenario);
    lists
        .exclusions
        .insert(Registry::Patient, hashes_of([&scenario.a]));
    let output = run(scenario.dir.path(), &every_variable(), &lists, PROJECT_KEY).unwrap();
    let a = row_of(&output.table, &scenario.a);
    // A has two episodes in patient.csv; the opt-out removes both.
    assert_eq!(value(&a, "episodes"), some("0"));
    assert_eq!(value(&a, "first_episode_date"), None);
    assert_eq!(value(&a, "procedure"), some("JFB20"));
    let patient = file(&output, Registry::Patient);
    assert!(patient.excluded_by_consent > 0);
    let summary = output
        .report
        .exclusions
        .iter()
        .find(|summary| summary.registry == Registry::Patient)
        .unwrap();
    assert_eq!(summary.persons_excluded, 1);
    assert!(summary.consented.is_none());
}

#[test]
fn birth_child_identifiers_reported() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let birth = file(&output, Registry::Birth);
    assert_eq!(birth.linked_direct, 4);
    assert_eq!(birth.other_identifiers["child_id"].missing, 1);
    assert_eq!(birth.invalid_values.get("birth_weight_g"), Some(&1));
}

#[test]
fn same_key_same_pseudonyms() {
    let scenario = scenario();
    let first = full_run(&scenario);
    let second = full_run(&scenario);
    assert_eq!(first.table, second.table);
    assert_eq!(first.report, second.report);
}

#[test]
fn other_key_other_pseudonyms() {
    let scenario = scenario();
    let first = full_run(&scenario);
    let other = run(
        scenario.dir.path(),
        &every_variable(),
        &quality_lists(&scenario),
        b"another project",
    )
    .unwrap();
    let pseudonyms = |output: &LinkageOutput| -> HashSet<String> {
        output
            .table
            .column("pseudonym")
            .unwrap()
            .values
            .iter()
            .map(|value| value.clone().unwrap())
            .collect()
    };
    assert_eq!(pseudonyms(&other).len(), 4);
    assert!(pseudonyms(&first).is_disjoint(&pseudonyms(&other)));
}

#[test]
fn report_and_table_hold_no_identity_number() {
    let scenario = scenario();
    let output = full_run(&scenario);
    let report = serde_json::to_string(&output.report).unwrap();
    let mut table = Vec::new();
    hap_dataset::write_csv(&output.table, &mut table).unwrap();
    let table = String::from_utf8(table).unwrap();
    for number in &scenario.every_number {
        assert!(!report.contains(number.as_str()), "number in report");
        assert!(!table.contains(number.as_str()), "number in table");
        assert!(!report.contains(&number[1..]), "10-digit number in report");
    }
}

#[test]
fn unrequested_registries_not_read() {
    let scenario = scenario();
    std::fs::remove_file(scenario.dir.path().join("quality.csv")).unwrap();
    let variables = vec![(Registry::Patient, vec!["episodes".to_owned()])];
    let output = run(
        scenario.dir.path(),
        &variables,
        &Lists::default(),
        PROJECT_KEY,
    )
    .unwrap();
    let files: Vec<Registry> = output
        .report
        .files
        .iter()
        .map(|file| file.registry)
        .collect();
    assert_eq!(
        files,
        [Registry::Population, Registry::Cancer, Registry::Patient]
    );
}

#[test]
fn missing_requested_file_rejected() {
    let scenario = scenario();
    std::fs::remove_file(scenario.dir.path().join("quality.csv")).unwrap();
    let error = run(
        scenario.dir.path(),
        &every_variable(),
        &quality_lists(&scenario),
        PROJECT_KEY,
    )
    .unwrap_err();
    assert!(matches!(error, LinkageError::MissingFile { .. }));
    assert!(error.to_string().contains("quality.csv"));
}

#[test]
fn unknown_variable_rejected() {
    let scenario = scenario();
    let variables = vec![(Registry::Patient, vec!["diagnosis".to_owned()])];
    let error = run(
        scenario.dir.path(),
        &variables,
        &Lists::default(),
        PROJECT_KEY,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, LinkageError::Variables(_)));
    assert!(message.contains("`diagnosis`"), "{message}");
    assert!(
        message.contains("episodes, first_episode_date"),
        "{message}"
    );
}

#[test]
fn invalid_criteria_rejected() {
    let scenario = scenario();
    let criteria = CohortCriteria {
        diagnosis_codes: vec!["K50".into()],
        diagnosed_from: None,
        diagnosed_to: None,
    };
    let exclusions = HashMap::new();
    let request = LinkageRequest {
        criteria: &criteria,
        variables: &[],
        rules: TEST_RULES,
        platform_key: PLATFORM_KEY,
        project_key: PROJECT_KEY,
        exclusions: &exclusions,
        consented: &HashMap::new(),
    };
    let error = link(scenario.dir.path(), &request).unwrap_err();
    assert!(matches!(error, LinkageError::Criteria(_)));
    assert!(error.to_string().contains("`K50`"));
}

#[test]
fn empty_project_key_rejected() {
    let scenario = scenario();
    let error = run(scenario.dir.path(), &[], &Lists::default(), b"").unwrap_err();
    assert!(matches!(error, LinkageError::EmptyKey { which: "project" }));
}

#[test]
fn production_profile_rejects_synthetic_numbers() {
    let scenario = scenario();
    let criteria = colorectal_criteria();
    let exclusions = HashMap::new();
    let request = LinkageRequest {
        criteria: &criteria,
        variables: &[],
        rules: Rules {
            policy: ChecksumPolicy::Allow2032,
            profile: Profile::Production,
        },
        platform_key: PLATFORM_KEY,
        project_key: PROJECT_KEY,
        exclusions: &exclusions,
        consented: &HashMap::new(),
    };
    let output = link(scenario.dir.path(), &request).unwrap();
    let population = file(&output, Registry::Population);
    // Nine distinct rows hold synthetic numbers; the H-number, the empty
    // number and the duplicate keep their outcomes.
    assert_eq!(population.invalid_identifier.not_allowed_in_profile, 9);
    assert_eq!(population.linked_direct, 0);
    assert_eq!(output.report.cohort_size, 0);
    assert_eq!(output.table.num_rows(), 0);
}

#[test]
fn header_without_names_rejected_without_echo() {
    let scenario = scenario();
    let path = scenario.dir.path().join("population.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let without_header = text.split_once('\n').unwrap().1;
    std::fs::write(&path, without_header).unwrap();
    let error = run(scenario.dir.path(), &[], &Lists::default(), PROJECT_KEY).unwrap_err();
    assert!(matches!(error, LinkageError::MissingColumn { .. }));
    let message = error.to_string();
    assert!(!message.contains(scenario.a.as_str()), "{message}");
}
