#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `hapctl anonymize` run as a built binary on small files. The output is
//! checked by grouping its strings here, independently of the library.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

const ZIPCODE_DATA: &str = "\
age;sex;zipcode
34;male;81667
45;female;81675
66;male;81925
70;female;81931
34;female;81931
70;male;81931
45;male;81931
";

const ZIPCODE_HIERARCHY: &str = "\
81667;8166*;816**;81***;*
81925;8192*;819**;81***;*
81931;8193*;819**;81***;*
";

const MISSING_COUNTY_DATA: &str = "\
age_band;sex;county
60-79;M;Agder
60-79;M;Agder
60-79;F;Agder
60-79;F;Agder
20-49;M;
20-49;M;
20-49;M;Agder
20-49;M;Agder
20-49;M;Agder
";

const DIVERSITY_DATA: &str = "\
sex;occupation;group;diagnosis
female;;other;1
female;;other;1
female;;other;0
male;teacher;other;1
male;teacher;other;0
female;nurse;majority;0
female;nurse;majority;1
";

/// Ages 20 to 59, two sexes and a numeric sensitive score, comma-separated.
fn patients_csv() -> String {
    let mut text = String::from("id,age,sex,score\n");
    for index in 0..80 {
        let age = 20 + index % 40;
        let sex = if index % 3 == 0 { "F" } else { "M" };
        let score = (index * 7) % 10;
        text.push_str(&format!("p{index},{age},{sex},{score}\n"));
    }
    text
}

/// Ages 0 to 99 in bands of 10 and 50, ARX format.
fn age_hierarchy() -> String {
    (0..100)
        .map(|age| {
            let ten = age / 10 * 10;
            let fifty = age / 50 * 50;
            format!("{age};{ten}-{};{fifty}-{};*\n", ten + 9, fifty + 49)
        })
        .collect()
}

struct Run {
    output: Output,
    released: PathBuf,
    report: PathBuf,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    fn report(&self) -> Value {
        assert!(
            self.output.status.success(),
            "hapctl failed: {}",
            self.stderr()
        );
        serde_json::from_str(&std::fs::read_to_string(&self.report).unwrap()).unwrap()
    }

    fn released(&self, delimiter: u8) -> Vec<Vec<String>> {
        read_rows(&self.released, delimiter)
    }
}

fn write(dir: &TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn anonymize(dir: &TempDir, input: &Path, arguments: &[&str]) -> Run {
    let released = dir.path().join("released.csv");
    let report = dir.path().join("report.json");
    let output = Command::new(env!("CARGO_BIN_EXE_hapctl"))
        .arg("anonymize")
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(&released)
        .arg("--report")
        .arg(&report)
        .args(arguments)
        .output()
        .unwrap();
    Run {
        output,
        released,
        report,
    }
}

/// Rows of a delimited file, header first, empty fields as empty strings.
fn read_rows(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_path(path)
        .unwrap();
    reader
        .records()
        .map(|record| record.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// Sizes of the groups of rows that agree on the `columns`, header skipped.
fn group_sizes(rows: &[Vec<String>], columns: &[&str]) -> Vec<usize> {
    let indices: Vec<usize> = columns
        .iter()
        .map(|name| rows[0].iter().position(|column| column == name).unwrap())
        .collect();
    let mut sizes: HashMap<Vec<&str>, usize> = HashMap::new();
    for row in &rows[1..] {
        let key = indices.iter().map(|&index| row[index].as_str()).collect();
        *sizes.entry(key).or_default() += 1;
    }
    sizes.into_values().collect()
}

#[test]
fn value_missing_from_hierarchy_stops_before_output() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "data.csv", ZIPCODE_DATA);
    let hierarchy = write(&dir, "zipcode.csv", ZIPCODE_HIERARCHY);
    let hierarchy_arg = format!("zipcode={}", hierarchy.display());
    let run = anonymize(
        &dir,
        &input,
        &[
            "--qi",
            "zipcode",
            "--hierarchy",
            &hierarchy_arg,
            "--k",
            "2",
            "--suppression-limit",
            "1",
        ],
    );

    assert!(!run.output.status.success());
    let stderr = run.stderr();
    assert!(stderr.contains("`zipcode`"), "{stderr}");
    assert!(stderr.contains("`81675`"), "{stderr}");
    assert!(!run.released.exists(), "output written despite the error");
    assert!(!run.report.exists(), "report written despite the error");
}

#[test]
fn missing_value_is_a_category_of_its_own() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "data.csv", MISSING_COUNTY_DATA);
    let run = anonymize(
        &dir,
        &input,
        &[
            "--qi",
            "age_band",
            "--qi",
            "sex",
            "--qi",
            "county",
            "--k",
            "3",
            "--suppression-limit",
            "0.5",
        ],
    );
    let report = run.report();
    let rows = run.released(b';');

    assert_eq!(rows[0], ["age_band", "sex", "county"]);
    let sizes = group_sizes(&rows, &["age_band", "sex", "county"]);
    assert!(sizes.iter().all(|&size| size >= 3), "groups {sizes:?}");
    // The two records with an empty county cannot join Agder or `*`.
    assert!(rows[1..].iter().all(|row| !row[2].is_empty()));
    assert_eq!(report["records"], 9);
    assert_eq!(report["suppressed_records"], 2);
    assert_eq!(rows.len() - 1, 7);
    assert_eq!(report["k"], 3);
    assert_eq!(report["l"], Value::Null);
    assert_eq!(report["levels"]["age_band"], 0);
    assert_eq!(report["levels"]["sex"], 1);
    assert_eq!(report["levels"]["county"], 0);
    assert_eq!(report["metric"], "loss");
    assert!(report["utility"].as_f64().unwrap() > 0.0);
    assert!(report["elapsed_ms"].is_u64());
}

#[test]
fn l_diversity_with_empty_quasi_identifier() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "data.csv", DIVERSITY_DATA);
    let run = anonymize(
        &dir,
        &input,
        &[
            "--qi",
            "sex",
            "--qi",
            "occupation",
            "--qi",
            "group",
            "--sensitive",
            "diagnosis",
            "--k",
            "2",
            "--l",
            "2",
        ],
    );
    let report = run.report();
    let rows = run.released(b';');

    assert_eq!(report["k"], 2);
    assert_eq!(report["l"], 2);
    assert_eq!(report["suppressed_records"], 0);
    // Nothing is generalised, so the output is the input.
    let input_rows = read_rows(&input, b';');
    assert_eq!(rows, input_rows);
    let mut sizes = group_sizes(&rows, &["sex", "occupation", "group"]);
    sizes.sort_unstable();
    assert_eq!(sizes, [2, 2, 3]);
}

#[test]
fn output_keeps_columns_and_record_order() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "patients.csv", &patients_csv());
    let hierarchy = write(&dir, "age.csv", &age_hierarchy());
    let hierarchy_arg = format!("age={}", hierarchy.display());
    let run = anonymize(
        &dir,
        &input,
        &[
            "--delimiter",
            ",",
            "--qi",
            "age",
            "--qi",
            "sex",
            "--hierarchy",
            &hierarchy_arg,
            "--k",
            "5",
            "--suppression-limit",
            "0.1",
            "--metric",
            "entropy",
        ],
    );
    let report = run.report();
    let rows = run.released(b',');
    let input_rows = read_rows(&input, b',');

    assert_eq!(rows[0], input_rows[0]);
    // Released ids appear in input order, and the other columns are
    // unchanged.
    let mut next = input_rows[1..].iter();
    for row in &rows[1..] {
        let original = next
            .find(|original| original[0] == row[0])
            .unwrap_or_else(|| panic!("record {} out of order or invented", row[0]));
        assert_eq!(row[3], original[3]);
    }
    let suppressed = report["suppressed_records"].as_u64().unwrap() as usize;
    assert_eq!(rows.len() - 1 + suppressed, 80);
    assert!(suppressed <= 8);
    let sizes = group_sizes(&rows, &["age", "sex"]);
    assert!(sizes.iter().all(|&size| size >= 5), "groups {sizes:?}");
    assert_eq!(report["metric"], "entropy");
    assert_eq!(
        report["utility"].as_f64(),
        report["details"]["information_loss"]["entropy"].as_f64()
    );
    assert!(report["levels"]["age"].as_u64().unwrap() >= 1);
}

#[test]
fn t_closeness_and_entropy_l_are_reported() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "patients.csv", &patients_csv());
    let hierarchy = write(&dir, "age.csv", &age_hierarchy());
    let hierarchy_arg = format!("age={}", hierarchy.display());
    let run = anonymize(
        &dir,
        &input,
        &[
            "--delimiter",
            ",",
            "--qi",
            "age",
            "--qi",
            "sex",
            "--hierarchy",
            &hierarchy_arg,
            "--sensitive",
            "score",
            "--k",
            "3",
            "--l",
            "2.5",
            "--l-model",
            "entropy",
            "--t",
            "0.2",
            "--metric",
            "discernibility",
        ],
    );
    let report = run.report();

    let t = report["t"].as_f64().unwrap();
    assert!(t <= 0.2 + 1e-9, "t reached {t}");
    let reached = &report["details"]["l_reached"][0];
    assert_eq!(reached["t_distance"], "ordered");
    assert!(reached["entropy_l"].as_f64().unwrap() >= 2.5 - 1e-9);
    assert!(report["l"].as_u64().unwrap() >= 3);
    assert_eq!(report["metric"], "discernibility");
}

#[test]
fn hierarchy_without_qi_is_rejected() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "data.csv", ZIPCODE_DATA);
    let hierarchy = write(&dir, "zipcode.csv", ZIPCODE_HIERARCHY);
    let hierarchy_arg = format!("zipcode={}", hierarchy.display());
    let run = anonymize(
        &dir,
        &input,
        &["--qi", "age", "--hierarchy", &hierarchy_arg],
    );

    assert!(!run.output.status.success());
    let stderr = run.stderr();
    assert!(stderr.contains("--qi zipcode"), "{stderr}");
    assert!(!run.released.exists());
}

#[test]
fn unknown_column_lists_the_columns() {
    let dir = TempDir::new().unwrap();
    let input = write(&dir, "data.csv", ZIPCODE_DATA);
    let run = anonymize(&dir, &input, &["--qi", "postcode"]);

    assert!(!run.output.status.success());
    let stderr = run.stderr();
    assert!(stderr.contains("`postcode`"), "{stderr}");
    assert!(stderr.contains("age, sex, zipcode"), "{stderr}");
}
