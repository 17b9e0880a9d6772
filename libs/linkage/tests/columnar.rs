#![allow(clippy::unwrap_used, clippy::expect_used)]

//! Descriptor-driven runs on small extracts in CSV (`,` and `;`, UTF-8 and
//! Latin-1) and Parquet, with an identity history.

mod common;

use std::collections::HashSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{Array, AsArray, Date32Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use hap_contracts::criteria::Criterion;
use hap_identity::{ChecksumPolicy, Profile, Rules};
use hap_linkage::columnar::report::RunReport;
use hap_linkage::columnar::{
    PersonLists, RegistryDescriptor, RegistryLists, RunError, RunPlan, SpineDescriptor, Unlinked,
    cohort_size, run,
};
use hap_linkage::{person_hash, pseudonym};
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::json;

use common::*;

const KEY: &[u8] = b"project key of the columnar tests";

/// Numbers of the scenario's persons.
struct Scenario {
    dir: tempfile::TempDir,
    a: String,
    b: String,
    c: String,
    /// C's first D-number, replaced by `c_dnumber`.
    c_first_dnumber: String,
    /// C's later D-number, replaced by C's ordinary number.
    c_dnumber: String,
    child: String,
    helper: String,
    outsider: String,
    /// A former number whose successor is not in the spine.
    stray: String,
}

fn write(path: &Path, bytes: &[u8]) {
    fs::write(path, bytes).unwrap();
}

/// Writes a Parquet cancer extract: person_id, icd10, diagnosis_date.
fn write_cancer(path: &Path, rows: &[(Option<&str>, &str, &str)]) {
    let schema = Arc::new(Schema::new(vec![
        Field::new("person_id", DataType::Utf8, true),
        Field::new("icd10", DataType::Utf8, true),
        Field::new("diagnosis_date", DataType::Date32, true),
    ]));
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
    let days = |text: &str| {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
        (date - epoch).num_days() as i32
    };
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter(rows.iter().map(|row| row.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|row| row.1))),
            Arc::new(Date32Array::from_iter_values(
                rows.iter().map(|row| days(row.2)),
            )),
        ],
    )
    .unwrap();
    let mut writer = ArrowWriter::try_new(File::create(path).unwrap(), schema, None).unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
}

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn scenario() -> Scenario {
    let mut numbers = Numbers::new();
    let a = numbers.person(5, 5, 55);
    let b = numbers.person(10, 6, 60);
    let c = numbers.person(7, 7, 70);
    let c_first_dnumber = numbers.dnumber(7, 7, 70);
    let c_dnumber = numbers.dnumber(7, 7, 70);
    let child = numbers.person(2, 2, 85);
    let helper = numbers.hnumber(4, 4, 44);
    let outsider = numbers.person(9, 9, 59);
    let stray = numbers.dnumber(1, 1, 61);
    let stray_successor = numbers.person(1, 1, 61);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();

    // The spine: `;`-separated Latin-1.
    let spine = format!(
        "person_id;sex;birth_date;death_date;emigration_date;place\n\
         {a};female;1955-05-05;;;Tromsø\n\
         {b};male;1960-06-10;;2019-09-09;Bodø\n\
         {c};female;1970-07-07;2021-02-02;;Ålesund\n\
         {child};male;1985-02-02;;;Oslo\n\
         {helper};male;1944-04-04;;;Oslo\n\
         {a};female;1955-05-05;;;Tromsø\n"
    );
    write(&path.join("persons.csv"), &latin1(&spine));
    write(
        &path.join("history.csv"),
        format!(
            "from,to\n{c_dnumber},{c}\n{c_first_dnumber},{c_dnumber}\n{stray},{stray_successor}\n"
        )
        .as_bytes(),
    );
    write(
        &path.join("spine.json"),
        json!({
            "file": {"path": "persons.csv", "format": "csv", "delimiter": ";", "encoding": "latin-1"},
            "identifier": "person_id", "sex": "sex", "birth_date": "birth_date",
            "death_date": "death_date", "emigration_date": "emigration_date",
            "history": {"file": {"path": "history.csv", "format": "csv"}, "from": "from", "to": "to"}
        })
        .to_string()
        .as_bytes(),
    );

    // The cancer registry: Parquet, C under the ordinary number.
    let leading_zero_lost = &a[1..];
    let broken = wrong_check_digit(&b);
    write_cancer(
        &path.join("cancer.parquet"),
        &[
            (Some(&a), "C18.7", "2015-03-01"),
            (Some(&b), "C50.9", "2016-01-01"),
            (Some(&c), "C20", "2018-01-01"),
            (Some(&outsider), "C18", "2015-01-01"),
            (None, "C18", "2015-01-01"),
            (Some(""), "C18", "2015-01-01"),
            (Some(&broken), "C18", "2015-01-01"),
            (Some(leading_zero_lost), "C18", "2015-01-01"),
            (Some(&helper), "C18", "2015-01-01"),
        ],
    );
    write(
        &path.join("cancer.json"),
        json!({
            "name": "cancer", "file": {"path": "cancer.parquet", "format": "parquet"},
            "identifiers": ["person_id"],
            "variables": [{"name": "icd10", "type": "text"}, {"name": "diagnosis_date", "type": "date"}],
            "year": "diagnosis_date"
        })
        .to_string()
        .as_bytes(),
    );

    // The patient registry: `;`-separated, C under both former D-numbers.
    let patient = format!(
        "person_id;episode_start;department\n\
         {c_dnumber};2009-09-09;Medisin\n\
         {c_first_dnumber};2005-05-05;Kirurgi\n\
         {a};2010-06-01;Øre-nese-hals\n\
         {stray};2011-01-01;Medisin\n\
         ;2012-01-01;Medisin\n\
         ;2012-01-01;Medisin\n"
    );
    write(&path.join("patient.csv"), &latin1(&patient));
    write(
        &path.join("patient.json"),
        json!({
            "name": "patient",
            "file": {"path": "patient.csv", "format": "csv", "delimiter": ";", "encoding": "latin-1"},
            "identifiers": ["person_id"],
            "variables": [{"name": "episode_start", "type": "date"}, {"name": "department", "type": "text"}],
            "year": "episode_start"
        })
        .to_string()
        .as_bytes(),
    );

    // The birth registry: mother and child.
    write(
        &path.join("birth.csv"),
        format!(
            "mother_id,child_id,birth_weight_g\n{a},{child},3400\n{a},,abc\n{b},{outsider},3100\n"
        )
        .as_bytes(),
    );
    write(
        &path.join("birth.json"),
        json!({
            "name": "birth", "file": {"path": "birth.csv", "format": "csv"},
            "identifiers": ["mother_id", "child_id"],
            "variables": [{"name": "birth_weight_g", "type": "integer"}]
        })
        .to_string()
        .as_bytes(),
    );

    Scenario {
        dir,
        a,
        b,
        c,
        c_first_dnumber,
        c_dnumber,
        child,
        helper,
        outsider,
        stray,
    }
}

struct Inputs {
    spine: SpineDescriptor,
    registries: Vec<RegistryDescriptor>,
}

fn inputs(dir: &Path) -> Inputs {
    Inputs {
        spine: SpineDescriptor::load(&dir.join("spine.json")).unwrap(),
        registries: ["cancer", "patient", "birth"]
            .iter()
            .map(|name| RegistryDescriptor::load(&dir.join(format!("{name}.json"))).unwrap())
            .collect(),
    }
}

fn colorectal() -> Criterion {
    Criterion::parse(&json!({"event": {"registry": "cancer",
        "icd10": {"column": "icd10", "prefixes": ["C18", "C19", "C20"]}}}))
    .unwrap()
}

fn run_with(
    inputs: &Inputs,
    criterion: &Criterion,
    threads: usize,
    out: &Path,
) -> Result<RunReport, RunError> {
    let plan = RunPlan {
        spine: &inputs.spine,
        registries: &inputs.registries,
        criterion,
        rules: TEST_RULES,
        project_key: KEY,
        lists: None,
        threads,
    };
    run(&plan, out)
}

fn size_of(inputs: &Inputs, criterion: serde_json::Value) -> u64 {
    let criterion = Criterion::parse(&criterion).unwrap();
    let plan = RunPlan {
        spine: &inputs.spine,
        registries: &inputs.registries,
        criterion: &criterion,
        rules: TEST_RULES,
        project_key: KEY,
        lists: None,
        threads: 2,
    };
    cohort_size(&plan).unwrap()
}

/// Reads one text column of every Parquet file under `path`, in file order.
fn text_column(path: &Path, column: &str) -> Vec<Option<String>> {
    let mut files: Vec<PathBuf> = if path.is_dir() {
        fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    files.sort();
    let mut values = Vec::new();
    for file in files {
        let reader = ParquetRecordBatchReaderBuilder::try_new(File::open(file).unwrap())
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            let batch = batch.unwrap();
            let strings = batch.column_by_name(column).unwrap().as_string::<i32>();
            values.extend(
                (0..strings.len())
                    .map(|row| strings.is_valid(row).then(|| strings.value(row).to_owned())),
            );
        }
    }
    values
}

fn pseudonym_of(number: &str) -> Option<String> {
    Some(pseudonym(KEY, &id(number)))
}

fn registry<'a>(report: &'a RunReport, name: &str) -> &'a hap_linkage::columnar::RegistryReport {
    report
        .registries
        .iter()
        .find(|r| r.registry == name)
        .unwrap()
}

#[test]
fn dnumber_and_later_number_share_pseudonym() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    run_with(&inputs(scenario.dir.path()), &colorectal(), 2, &out).unwrap();
    let c = pseudonym_of(&scenario.c);
    let cancer = text_column(&out.join("cancer"), "pseudonym");
    let patient = text_column(&out.join("patient"), "pseudonym");
    assert_eq!(cancer.iter().filter(|p| **p == c).count(), 1);
    // Both former D-numbers in the patient registry lead to C.
    assert_eq!(patient.iter().filter(|p| **p == c).count(), 2);
    for former in [&scenario.c_dnumber, &scenario.c_first_dnumber] {
        let former = pseudonym_of(former);
        assert!(!cancer.contains(&former));
        assert!(!patient.contains(&former));
    }
}

#[test]
fn cohort_rows_delivered_with_pseudonyms() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let report = run_with(&inputs(scenario.dir.path()), &colorectal(), 2, &out).unwrap();
    assert_eq!(report.cohort_persons.0, 2);
    let cancer = text_column(&out.join("cancer"), "pseudonym");
    assert_eq!(
        cancer,
        [pseudonym_of(&scenario.a), pseudonym_of(&scenario.c)]
    );
    assert_eq!(
        text_column(&out.join("cancer"), "icd10"),
        [Some("C18.7".to_owned()), Some("C20".to_owned())]
    );
    let department = text_column(&out.join("patient"), "department");
    assert!(
        department.contains(&Some("Øre-nese-hals".to_owned())),
        "{department:?}"
    );
    let mut persons = text_column(&out.join("persons.parquet"), "pseudonym");
    persons.sort();
    let mut expected = vec![pseudonym_of(&scenario.a), pseudonym_of(&scenario.c)];
    expected.sort();
    assert_eq!(persons, expected);
}

#[test]
fn death_and_emigration_are_variables() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let criterion = Criterion::parse(&json!({"present": "cancer"})).unwrap();
    let report = run_with(&inputs(scenario.dir.path()), &criterion, 2, &out).unwrap();
    // B emigrated and C died; both stay in the cohort.
    assert_eq!(report.cohort_persons.0, 3);
    let file = File::open(out.join("persons.parquet")).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
    let names: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    assert_eq!(
        names,
        [
            "pseudonym",
            "sex",
            "birth_year",
            "birth_date",
            "death_date",
            "emigration_date"
        ]
    );
}

#[test]
fn mother_and_child_both_pseudonymised() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let criterion = Criterion::parse(&json!({"present": "birth"})).unwrap();
    let report = run_with(&inputs(scenario.dir.path()), &criterion, 2, &out).unwrap();
    let mothers = text_column(&out.join("birth"), "mother_id_pseudonym");
    let children = text_column(&out.join("birth"), "child_id_pseudonym");
    assert_eq!(mothers.len(), 3);
    assert_eq!(children[0], pseudonym_of(&scenario.child));
    // A missing child and a child outside the spine have no pseudonym.
    assert_eq!(children[1], None);
    assert_eq!(children[2], None);
    let birth = registry(&report, "birth");
    assert_eq!(birth.other_identifiers[0].column, "child_id");
    let child = &birth.other_identifiers[0].total;
    assert_eq!(child.unlinked.get(Unlinked::Missing), 1);
    assert_eq!(child.unlinked.get(Unlinked::NotInSpine), 1);
    assert_eq!(birth.invalid_values["birth_weight_g"].0, 1);
}

#[test]
fn unlinked_rows_counted_by_reason() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let report = run_with(&inputs(scenario.dir.path()), &colorectal(), 2, &out).unwrap();
    let cancer = &registry(&report, "cancer").total;
    assert_eq!(cancer.records, 9);
    assert_eq!(cancer.linked, 3);
    // A null and an empty field are both missing, and never match.
    assert_eq!(cancer.unlinked.get(Unlinked::Missing), 2);
    assert_eq!(cancer.unlinked.get(Unlinked::Checksum), 1);
    assert_eq!(cancer.unlinked.get(Unlinked::LeadingZeroLost), 1);
    assert_eq!(cancer.unlinked.get(Unlinked::HelperNumber), 1);
    assert_eq!(cancer.unlinked.get(Unlinked::NotInSpine), 1);
    assert_eq!(cancer.valid(), 5);
    assert_eq!(cancer.delivered, 2);
    let patient = &registry(&report, "patient").total;
    assert_eq!(patient.remapped, 2);
    assert_eq!(patient.unlinked.get(Unlinked::UnresolvedHistory), 1);
    assert_eq!(patient.unlinked.get(Unlinked::Missing), 2);
    assert_eq!(report.spine.persons, 4);
    assert_eq!(report.spine.repeated, 1);
    assert_eq!(report.spine.invalid.get(Unlinked::HelperNumber), 1);
    let history = report.spine.history.unwrap();
    assert_eq!(history.remapped_numbers, 2);
    assert_eq!(history.unresolved_numbers, 1);
    let _ = (&scenario.helper, &scenario.outsider, &scenario.stray);
}

#[test]
fn report_per_year_hides_small_counts() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let report = run_with(&inputs(scenario.dir.path()), &colorectal(), 2, &out).unwrap();
    let cancer = registry(&report, "cancer");
    let years: Vec<&str> = cancer.years.keys().map(String::as_str).collect();
    assert_eq!(years, ["2015", "2016", "2018"]);
    assert_eq!(cancer.years["2015"].records, 7);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    let registries = json["registries"].as_array().unwrap();
    assert_eq!(registries[0]["years"]["2015"]["records"], 7);
    assert_eq!(registries[0]["years"]["2016"]["records"], "<5");
    assert_eq!(json["cohort_persons"], "<5");
    let overlap = json["overlap"].as_array().unwrap();
    assert_eq!(overlap[0]["registries"], json!(["cancer", "patient"]));
    assert_eq!(report.overlap[0].persons.0, 2);
}

#[test]
fn same_inputs_give_identical_files() {
    let scenario = scenario();
    let inputs = inputs(scenario.dir.path());
    let first = scenario.dir.path().join("first");
    let second = scenario.dir.path().join("second");
    run_with(&inputs, &colorectal(), 1, &first).unwrap();
    run_with(&inputs, &colorectal(), 4, &second).unwrap();
    let mut files = Vec::new();
    for entry in walk(&first) {
        let relative = entry.strip_prefix(&first).unwrap().to_path_buf();
        files.push(relative.clone());
        assert_eq!(
            fs::read(&entry).unwrap(),
            fs::read(second.join(&relative)).unwrap(),
            "{}",
            relative.display()
        );
    }
    assert_eq!(walk(&second).len(), files.len());
    assert!(files.iter().any(|f| f.ends_with("report.json")));
    assert!(files.iter().any(|f| f.ends_with("persons.parquet")));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn other_key_other_pseudonyms() {
    let scenario = scenario();
    let inputs = inputs(scenario.dir.path());
    let out = scenario.dir.path().join("out");
    run_with(&inputs, &colorectal(), 2, &out).unwrap();
    let plan = RunPlan {
        spine: &inputs.spine,
        registries: &inputs.registries,
        criterion: &colorectal(),
        rules: TEST_RULES,
        project_key: b"another project",
        lists: None,
        threads: 2,
    };
    let other = scenario.dir.path().join("other");
    run(&plan, &other).unwrap();
    let first = text_column(&out.join("cancer"), "pseudonym");
    let second = text_column(&other.join("cancer"), "pseudonym");
    assert_eq!(first.len(), second.len());
    assert!(first.iter().all(|p| !second.contains(p)));
}

#[test]
fn combined_criteria_select_persons() {
    let scenario = scenario();
    let inputs = inputs(scenario.dir.path());
    assert_eq!(size_of(&inputs, json!({"sex": "female"})), 2);
    assert_eq!(
        size_of(&inputs, json!({"birth_year": {"from": 1956, "to": 1985}})),
        3
    );
    assert_eq!(size_of(&inputs, json!({"absent": "cancer"})), 1);
    assert_eq!(
        size_of(
            &inputs,
            json!({"all": [{"present": "cancer"}, {"not": {"sex": "female"}}]})
        ),
        1
    );
    assert_eq!(
        size_of(
            &inputs,
            json!({"any": [{"present": "birth"}, {"present": "patient"}]})
        ),
        3
    );
    // A was 59 at her diagnosis on 2015-03-01, B 55 and C 47.
    let aged = |from: u32, to: u32| {
        size_of(
            &inputs,
            json!({"event": {"registry": "cancer",
            "age": {"column": "diagnosis_date", "from": from, "to": to}}}),
        )
    };
    assert_eq!(aged(50, 59), 2);
    assert_eq!(aged(59, 59), 1);
    assert_eq!(aged(60, 99), 0);
    let dated = size_of(
        &inputs,
        json!({"event": {"registry": "cancer",
        "date": {"column": "diagnosis_date", "from": "2016-01-01", "to": "2018-01-01"}}}),
    );
    assert_eq!(dated, 2);
}

fn check_error(dir: &Path, criterion: serde_json::Value) -> String {
    let inputs = inputs(dir);
    let criterion = Criterion::parse(&criterion).unwrap();
    let out = dir.join("rejected");
    match run_with(&inputs, &criterion, 1, &out) {
        Err(RunError::Criterion(error)) => {
            assert!(!out.exists(), "a rejected run wrote output");
            error.pointer
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
}

#[test]
fn criteria_checked_against_descriptors() {
    let scenario = scenario();
    let dir = scenario.dir.path();
    assert_eq!(
        check_error(
            dir,
            json!({"all": [{"sex": "male"}, {"present": "quality"}]})
        ),
        "/all/1/present"
    );
    assert_eq!(
        check_error(
            dir,
            json!({"event": {"registry": "cancer", "date": {"column": "icd10"}}})
        ),
        "/event/date/column"
    );
    assert_eq!(
        check_error(
            dir,
            json!({"event": {"registry": "cancer", "icd10": {"column": "stage", "prefixes": ["C"]}}})
        ),
        "/event/icd10/column"
    );
}

fn write_history(dir: &Path, rows: &[(&str, &str)]) {
    let mut text = String::from("from,to\n");
    for (from, to) in rows {
        text.push_str(&format!("{from},{to}\n"));
    }
    write(&dir.join("history.csv"), text.as_bytes());
}

#[test]
fn history_fork_is_error() {
    let scenario = scenario();
    let dir = scenario.dir.path();
    write_history(
        dir,
        &[
            (&scenario.c_dnumber, &scenario.c),
            (&scenario.c_dnumber, &scenario.a),
        ],
    );
    let error = run_with(&inputs(dir), &colorectal(), 2, &dir.join("out")).unwrap_err();
    assert!(
        matches!(
            error,
            RunError::HistoryFork {
                first: 1,
                second: 2,
                ..
            }
        ),
        "{error}"
    );
    assert!(!error.to_string().contains(&scenario.c_dnumber), "{error}");
}

#[test]
fn history_cycle_is_error() {
    let scenario = scenario();
    let dir = scenario.dir.path();
    write_history(
        dir,
        &[
            (&scenario.c_dnumber, &scenario.c_first_dnumber),
            (&scenario.c_first_dnumber, &scenario.c_dnumber),
        ],
    );
    let error = run_with(&inputs(dir), &colorectal(), 2, &dir.join("out")).unwrap_err();
    assert!(matches!(error, RunError::HistoryCycle { .. }), "{error}");
}

#[test]
fn history_from_current_number_is_error() {
    let scenario = scenario();
    let dir = scenario.dir.path();
    write_history(dir, &[(&scenario.b, &scenario.c)]);
    let error = run_with(&inputs(dir), &colorectal(), 2, &dir.join("out")).unwrap_err();
    assert!(
        matches!(error, RunError::HistoryFromCurrent { row: 1, .. }),
        "{error}"
    );
}

#[test]
fn synthetic_numbers_unlinked_in_production() {
    let scenario = scenario();
    let inputs = inputs(scenario.dir.path());
    let criterion = colorectal();
    let plan = RunPlan {
        spine: &inputs.spine,
        registries: &inputs.registries,
        criterion: &criterion,
        rules: Rules::new(ChecksumPolicy::Allow2032, Profile::Production),
        project_key: KEY,
        lists: None,
        threads: 2,
    };
    let report = run(&plan, &scenario.dir.path().join("out")).unwrap();
    assert_eq!(report.spine.persons, 0);
    assert_eq!(report.spine.invalid.get(Unlinked::SyntheticInProduction), 5);
    let cancer = &registry(&report, "cancer").total;
    assert_eq!(cancer.unlinked.get(Unlinked::SyntheticInProduction), 4);
    assert_eq!(report.cohort_persons.0, 0);
}

#[test]
fn output_folder_must_be_empty() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    fs::create_dir_all(&out).unwrap();
    write(&out.join("old.parquet"), b"x");
    let error = run_with(&inputs(scenario.dir.path()), &colorectal(), 2, &out).unwrap_err();
    assert!(matches!(error, RunError::OutputNotEmpty { .. }), "{error}");
}

#[test]
fn integer_identifiers_read_as_text() {
    let scenario = scenario();
    let dir = scenario.dir.path();
    // A spreadsheet stored the numbers as integers: A's leading zero is lost.
    let schema = Arc::new(Schema::new(vec![Field::new(
        "person_id",
        DataType::Int64,
        true,
    )]));
    let values: Vec<i64> = [&scenario.a, &scenario.b]
        .iter()
        .map(|n| n.parse().unwrap())
        .collect();
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![Arc::new(arrow::array::Int64Array::from(values))],
    )
    .unwrap();
    let mut writer = ArrowWriter::try_new(
        File::create(dir.join("numbers.parquet")).unwrap(),
        schema,
        None,
    )
    .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    write(
        &dir.join("numbers.json"),
        json!({"name": "numbers", "file": {"path": "numbers.parquet", "format": "parquet"},
               "identifiers": ["person_id"], "variables": []})
        .to_string()
        .as_bytes(),
    );
    let spine = SpineDescriptor::load(&dir.join("spine.json")).unwrap();
    let registries = vec![RegistryDescriptor::load(&dir.join("numbers.json")).unwrap()];
    let criterion = Criterion::parse(&json!({"present": "numbers"})).unwrap();
    let plan = RunPlan {
        spine: &spine,
        registries: &registries,
        criterion: &criterion,
        rules: TEST_RULES,
        project_key: KEY,
        lists: None,
        threads: 1,
    };
    let report = run(&plan, &dir.join("out")).unwrap();
    let numbers = &report.registries[0].total;
    assert!(scenario.a.starts_with('0'));
    assert_eq!(numbers.unlinked.get(Unlinked::LeadingZeroLost), 1);
    assert_eq!(numbers.linked, 1);
}

#[test]
fn descriptor_errors_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            json!({"name": "x", "file": {"path": "x.csv", "format": "csv", "delimiter": "|"}, "identifiers": ["id"], "variables": []}),
            "delimiter",
        ),
        (
            json!({"name": "x", "file": {"path": "x.csv", "format": "csv"}, "identifiers": [], "variables": []}),
            "one or two identifier",
        ),
        (
            json!({"name": "x", "file": {"path": "x.csv", "format": "csv"}, "identifiers": ["id"], "variables": [{"name": "id", "type": "text"}]}),
            "named twice",
        ),
        (
            json!({"name": "x", "file": {"path": "x.csv", "format": "csv"}, "identifiers": ["id"], "variables": [{"name": "d", "type": "text"}], "year": "d"}),
            "not a date",
        ),
        (
            json!({"name": "X", "file": {"path": "x.csv", "format": "csv"}, "identifiers": ["id"], "variables": []}),
            "lower-case",
        ),
    ];
    for (descriptor, expected) in cases {
        let path = dir.path().join("x.json");
        write(&path, descriptor.to_string().as_bytes());
        let error = RegistryDescriptor::load(&path).unwrap_err().to_string();
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn unclosed_quote_stops_at_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut numbers = Numbers::new();
    let person = numbers.person(5, 5, 55);
    write(
        &dir.path().join("population.csv"),
        format!("{POPULATION_HEADER}\n{person},female,1955-05-05,0301,,,\n").as_bytes(),
    );
    let mut cancer = format!("{CANCER_HEADER}\n{person},C18.7,2015-03-01,\"II\n");
    while cancer.len() < 70_000 {
        cancer.push_str(&format!("{person},C18.7,2015-03-01,II\n"));
    }
    write(&dir.path().join("cancer.csv"), cancer.as_bytes());

    let (spine, registries) = hap_linkage::columnar::registry_folder(dir.path());
    let criterion = Criterion::parse(&json!({"present": "cancer"})).unwrap();
    let plan = RunPlan {
        spine: &spine,
        registries: &registries,
        criterion: &criterion,
        rules: TEST_RULES,
        project_key: KEY,
        lists: None,
        threads: 1,
    };
    match cohort_size(&plan) {
        Err(RunError::Read { message, .. }) => {
            assert!(message.contains("line 2"), "{message}");
            assert!(message.contains("limit of 65536"), "{message}");
        }
        other => panic!("expected a read error, found {:?}", other.map(|_| ())),
    }
}

const PLATFORM_KEY: &[u8] = b"platform key of the columnar tests";

/// Returns the hashes the consent service stores for `numbers`.
fn listed(numbers: &[&str]) -> HashSet<[u8; 32]> {
    numbers
        .iter()
        .map(|number| person_hash(PLATFORM_KEY, &id(number)))
        .collect()
}

/// Returns an exclusion list of `numbers`.
fn excluding(numbers: &[&str]) -> RegistryLists {
    RegistryLists {
        excluded: listed(numbers),
        consented: None,
    }
}

fn run_with_lists(
    inputs: &Inputs,
    criterion: &Criterion,
    lists: &[(&str, RegistryLists)],
    out: &Path,
) -> Result<RunReport, RunError> {
    let lists = PersonLists {
        platform_key: PLATFORM_KEY.to_vec(),
        registries: lists
            .iter()
            .map(|(name, lists)| ((*name).to_owned(), lists.clone()))
            .collect(),
    };
    let plan = RunPlan {
        spine: &inputs.spine,
        registries: &inputs.registries,
        criterion,
        rules: TEST_RULES,
        project_key: KEY,
        lists: Some(&lists),
        threads: 2,
    };
    run(&plan, out)
}

#[test]
fn excluded_person_left_out_of_registry_and_cohort() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let excluded = excluding(&[&scenario.a]);
    let report = run_with_lists(
        &inputs(scenario.dir.path()),
        &colorectal(),
        &[("cancer", excluded)],
        &out,
    )
    .unwrap();
    // A's only colorectal event is in the cancer registry, so A leaves the cohort.
    assert_eq!(report.cohort_persons.0, 1);
    assert_eq!(
        text_column(&out.join("cancer"), "pseudonym"),
        [pseudonym_of(&scenario.c)]
    );
    let cancer = &registry(&report, "cancer").total;
    assert_eq!(cancer.excluded, 1);
    assert_eq!(cancer.delivered, 1);
    assert_eq!(cancer.linked, 3);
    let persons = text_column(&out.join("persons.parquet"), "pseudonym");
    assert_eq!(persons, [pseudonym_of(&scenario.c)]);
}

#[test]
fn person_listed_under_former_dnumber_left_out() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let excluded = excluding(&[&scenario.c_dnumber]);
    let report = run_with_lists(
        &inputs(scenario.dir.path()),
        &colorectal(),
        &[("patient", excluded)],
        &out,
    )
    .unwrap();
    let c = pseudonym_of(&scenario.c);
    // C's patient rows, under both former D-numbers, are left out; the
    // cancer registry, with no list, still delivers C.
    assert!(!text_column(&out.join("patient"), "pseudonym").contains(&c));
    assert!(text_column(&out.join("cancer"), "pseudonym").contains(&c));
    let patient = &registry(&report, "patient").total;
    assert_eq!(patient.excluded, 2);
    assert_eq!(patient.delivered, 1);
    assert_eq!(report.cohort_persons.0, 2);
}

#[test]
fn consent_based_registry_keeps_only_consented_persons() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let consented = RegistryLists {
        excluded: HashSet::new(),
        consented: Some(listed(&[&scenario.a])),
    };
    let criterion = Criterion::parse(&json!({"present": "birth"})).unwrap();
    let report = run_with_lists(
        &inputs(scenario.dir.path()),
        &criterion,
        &[("birth", consented)],
        &out,
    )
    .unwrap();
    // B has no consent, so B's birth row neither selects B nor is delivered.
    assert_eq!(report.cohort_persons.0, 1);
    let mothers = text_column(&out.join("birth"), "mother_id_pseudonym");
    assert_eq!(
        mothers,
        [pseudonym_of(&scenario.a), pseudonym_of(&scenario.a)]
    );
    let birth = &registry(&report, "birth").total;
    assert_eq!(birth.without_consent, 1);
    assert_eq!(birth.delivered, 2);
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["registries"][2]["total"]["without_consent"], "<5");
}

#[test]
fn lists_of_registry_outside_run_rejected() {
    let scenario = scenario();
    let out = scenario.dir.path().join("out");
    let excluded = excluding(&[&scenario.a]);
    let error = run_with_lists(
        &inputs(scenario.dir.path()),
        &colorectal(),
        &[("prescriptions", excluded)],
        &out,
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("`prescriptions`"), "{message}");
    assert!(message.contains("cancer, patient, birth"), "{message}");
    assert!(!out.exists(), "nothing is written for a rejected run");
}

#[test]
fn row_naming_excluded_child_left_out() {
    let scenario = scenario();
    let (a, b) = (&scenario.a, &scenario.b);
    let (child, outsider) = (&scenario.child, &scenario.outsider);
    // A's only birth names a child on the birth registry's exclusion list.
    write(
        &scenario.dir.path().join("birth.csv"),
        format!("mother_id,child_id,birth_weight_g\n{a},{child},3400\n{b},{outsider},3100\n")
            .as_bytes(),
    );
    let out = scenario.dir.path().join("out");
    let criterion = Criterion::parse(&json!({"present": "birth"})).unwrap();
    let report = run_with_lists(
        &inputs(scenario.dir.path()),
        &criterion,
        &[("birth", excluding(&[child]))],
        &out,
    )
    .unwrap();

    // The row meets no criterion, so A leaves the cohort, and it is not delivered.
    assert_eq!(report.cohort_persons.0, 1);
    let mothers = text_column(&out.join("birth"), "mother_id_pseudonym");
    assert_eq!(mothers, [pseudonym_of(b)]);
    let birth = registry(&report, "birth");
    assert_eq!(birth.total.excluded, 1);
    assert_eq!(birth.total.delivered, 1);
    assert_eq!(birth.other_identifiers[0].total.excluded, 1);
    let persons = text_column(&out.join("persons.parquet"), "pseudonym");
    assert_eq!(persons, [pseudonym_of(b)]);
}

/// Links the scenario with `file` from `tests/data` as the cancer extract
/// and checks that the run stops with a read error that names the file and
/// contains `expected`.
fn assert_damaged_parquet_is_read_error(file: &str, expected: &str) {
    let scenario = scenario();
    let damaged = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    fs::copy(damaged, scenario.dir.path().join("cancer.parquet")).unwrap();
    let out = scenario.dir.path().join("out");
    match run_with(&inputs(scenario.dir.path()), &colorectal(), 1, &out) {
        Err(RunError::Read { path, message }) => {
            assert!(path.ends_with("cancer.parquet"), "{}", path.display());
            assert!(message.contains(expected), "{message}");
        }
        other => panic!("expected a read error, found {:?}", other.map(|_| ())),
    }
}

#[test]
fn damaged_parquet_footer_is_error() {
    // A file the fuzzer derived from a valid extract: the footer gives a
    // column chunk a negative offset, on which the Parquet reader panics.
    assert_damaged_parquet_is_read_error("negative-column-offset.parquet", "lies outside the file");
}

#[test]
fn parquet_reader_panic_on_damaged_page_is_error() {
    // A file the fuzzer derived from a valid extract: a data page refers to
    // a dictionary its column chunk lacks, and the Parquet reader panics
    // instead of returning an error.
    assert_damaged_parquet_is_read_error("dictionary-page-missing.parquet", "damaged");
}
