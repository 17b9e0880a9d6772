#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]
//! A second opinion from the Python package pycanon, which measures k and
//! l of a released table on its own. Runs when `HAP_PYCANON_PYTHON` names a
//! python that can import pycanon (`tools/install-pycanon.sh` prints one),
//! and is skipped with a message otherwise. With `HAP_ARX_ADULT_DIR` set
//! to the folder of the ARX adult data set, the adult release is checked
//! too.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use hap_disclosure::{Dataset, Hierarchy, LDiversity, QuasiIdentifier, Settings, anonymize};
use serde_json::Value;
use tempfile::TempDir;

/// Reads a `;`-separated file with every field as text, so an empty field
/// is the empty string (a category of its own) and not NaN, which pandas
/// would leave out of every group. Prints k and distinct l as JSON.
const MEASURE: &str = r#"
import json, sys
import pandas as pd
from pycanon import anonymity
path, qis, sensitive = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
data = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
result = {"k": int(anonymity.k_anonymity(data, qis)), "records": len(data)}
if sensitive:
    result["l"] = int(anonymity.l_diversity(data, qis, [sensitive]))
print(json.dumps(result))
"#;

fn pycanon_python() -> Option<PathBuf> {
    match std::env::var_os("HAP_PYCANON_PYTHON") {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => {
            println!(
                "skipped: HAP_PYCANON_PYTHON is not set; run \
                 HAP_PYCANON_PYTHON=\"$(tools/install-pycanon.sh)\" cargo test -p hap-disclosure --test pycanon"
            );
            None
        }
    }
}

fn write_csv(path: &Path, data: &Dataset) {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_path(path)
        .unwrap();
    writer.write_record(data.columns()).unwrap();
    for row in data.rows() {
        writer
            .write_record(row.iter().map(|cell| cell.as_deref().unwrap_or("")))
            .unwrap();
    }
    writer.flush().unwrap();
}

fn measure(python: &Path, released: &Dataset, qis: &[&str], sensitive: Option<&str>) -> Value {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("released.csv");
    write_csv(&path, released);
    let output = Command::new(python)
        .arg("-c")
        .arg(MEASURE)
        .arg(&path)
        .arg(qis.join(","))
        .arg(sensitive.unwrap_or(""))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "pycanon failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// 400 patients with ages, sexes (some missing), municipalities and a
/// diagnosis.
fn patients() -> Dataset {
    let mut text = String::from("id;age;sex;municipality;diagnosis\n");
    let mut state: u64 = 99;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    for index in 0..400 {
        let age = 18 + next(70);
        let sex = ["F", "M", "F", "M", "F", "M", ""][next(7) as usize];
        let municipality = ["0301", "4601", "4602", "5001", "1103"][next(5) as usize];
        let diagnosis = ["C18", "C50", "C61", "I21", "E11"][next(5) as usize];
        text.push_str(&format!(
            "p{index};{age};{sex};{municipality};{diagnosis}\n"
        ));
    }
    Dataset::from_csv_str(&text, b';').unwrap()
}

#[test]
fn pycanon_confirms_k_and_l() {
    let Some(python) = pycanon_python() else {
        return;
    };
    let data = patients();
    let qis = vec![
        QuasiIdentifier::new(
            "age",
            Hierarchy::intervals(data.distinct_values("age").unwrap(), &[5, 10, 20]).unwrap(),
        ),
        QuasiIdentifier::new("sex", Hierarchy::from_csv_str("F;*\nM;*\n").unwrap()),
        QuasiIdentifier::new(
            "municipality",
            Hierarchy::municipalities(data.distinct_values("municipality").unwrap()).unwrap(),
        ),
    ];
    let mut settings = Settings::k_anonymity(5);
    settings.suppression_limit = 0.05;
    settings.sensitive = vec!["diagnosis".to_owned()];
    settings.l = Some(LDiversity::Distinct { l: 3 });
    let release = anonymize(&data, &qis, &settings).unwrap();

    let measured = measure(
        &python,
        &release.data,
        &["age", "sex", "municipality"],
        Some("diagnosis"),
    );
    println!("pycanon: {measured}");
    assert_eq!(measured["records"], release.data.len());
    assert!(measured["k"].as_u64().unwrap() >= 5);
    assert_eq!(measured["k"], release.report.k_reached);
    assert!(measured["l"].as_u64().unwrap() >= 3);
    assert_eq!(measured["l"], release.report.l_reached[0].distinct_l);
}

#[test]
fn pycanon_confirms_adult_k5() {
    let Some(python) = pycanon_python() else {
        return;
    };
    let Some(dir) = std::env::var_os("HAP_ARX_ADULT_DIR") else {
        println!("skipped: HAP_ARX_ADULT_DIR is not set to the ARX adult data folder");
        return;
    };
    let dir = PathBuf::from(dir);
    let data = Dataset::from_csv_reader(File::open(dir.join("adult.csv")).unwrap(), b';').unwrap();
    let columns: Vec<String> = data.columns().to_vec();
    assert_eq!(columns.len(), 9);
    let qis: Vec<QuasiIdentifier> = columns
        .iter()
        .map(|column| {
            let file = File::open(dir.join(format!("adult_hierarchy_{column}.csv"))).unwrap();
            QuasiIdentifier::new(column.clone(), Hierarchy::from_csv_reader(file).unwrap())
        })
        .collect();
    let mut settings = Settings::k_anonymity(5);
    settings.suppression_limit = 0.04;
    let release = anonymize(&data, &qis, &settings).unwrap();

    let qi_names: Vec<&str> = columns.iter().map(String::as_str).collect();
    let measured = measure(&python, &release.data, &qi_names, None);
    println!("pycanon on adult: {measured}");
    assert!(measured["k"].as_u64().unwrap() >= 5);
    let released = measured["records"].as_u64().unwrap() as usize;
    let suppressed = data.len() - released;
    assert!(
        suppressed * 100 <= data.len() * 4,
        "{suppressed} of {} records suppressed",
        data.len()
    );
}
