#![allow(clippy::unwrap_used, clippy::expect_used)]
//! End-to-end behaviour of `anonymize`: the release, the report and the
//! errors.

use hap_disclosure::{
    Dataset, DisclosureError, Hierarchy, LDiversity, Metric, QuasiIdentifier, Settings, anonymize,
    verify_distinct_l, verify_k,
};

const PATIENTS: &str = "\
pid;birth_date;municipality;diagnosis;age;note
p01;1961-02-03;0301;C50.9;37;a
p02;1961-03-14;0301;C50.1;38;b
p03;1961-05-20;0301;C18.7;41;c
p04;1961-06-01;0301;C18.2;44;d
p05;1962-01-09;4601;C50.9;52;e
p06;1962-02-17;4601;C61;53;f
p07;1962-08-30;4602;C61;57;g
p08;1962-11-11;4602;C50.4;58;h
";

fn patients() -> Dataset {
    Dataset::from_csv_str(PATIENTS, b';').unwrap()
}

fn builtin_qis(data: &Dataset) -> Vec<QuasiIdentifier> {
    vec![
        QuasiIdentifier::new(
            "birth_date",
            Hierarchy::dates(data.distinct_values("birth_date").unwrap()).unwrap(),
        ),
        QuasiIdentifier::new(
            "municipality",
            Hierarchy::municipalities(data.distinct_values("municipality").unwrap()).unwrap(),
        ),
        QuasiIdentifier::new(
            "age",
            Hierarchy::intervals(data.distinct_values("age").unwrap(), &[5, 10, 20]).unwrap(),
        ),
    ]
}

#[test]
fn builtin_hierarchies_generalise_values() {
    let data = patients();
    let qis = builtin_qis(&data);
    let mut settings = Settings::k_anonymity(2);
    settings.identifying = vec!["pid".to_owned()];
    let release = anonymize(&data, &qis, &settings).unwrap();

    assert_eq!(
        verify_k(&release.data, &["birth_date", "municipality", "age"], 2),
        Ok(())
    );
    assert_eq!(release.report.records_suppressed, 0);
    // Birth year, municipality and 5-year age bands form four pairs of
    // records; any finer birth date splits a pair.
    let levels: Vec<(String, usize, String)> = release
        .report
        .quasi_identifiers
        .iter()
        .map(|chosen| {
            (
                chosen.column.clone(),
                chosen.level,
                chosen.level_name.clone(),
            )
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            ("birth_date".to_owned(), 3, "year".to_owned()),
            ("municipality".to_owned(), 0, "municipality".to_owned()),
            ("age".to_owned(), 1, "bands of 5".to_owned()),
        ]
    );
    let first = &release.data.rows()[0];
    assert_eq!(first[0].as_deref(), Some("1961"));
    assert_eq!(first[1].as_deref(), Some("0301"));
    assert_eq!(first[3].as_deref(), Some("35-39"));
}

#[test]
fn identifying_columns_are_dropped() {
    let data = patients();
    let mut settings = Settings::k_anonymity(2);
    settings.identifying = vec!["pid".to_owned()];
    let release = anonymize(&data, &builtin_qis(&data), &settings).unwrap();
    assert_eq!(
        release.data.columns(),
        ["birth_date", "municipality", "diagnosis", "age", "note"]
    );
}

#[test]
fn other_columns_are_released_unchanged_in_order() {
    let data = patients();
    let release = anonymize(&data, &builtin_qis(&data), &Settings::k_anonymity(2)).unwrap();
    let notes: Vec<&str> = release
        .data
        .rows()
        .iter()
        .map(|row| row[5].as_deref().unwrap())
        .collect();
    assert_eq!(notes, ["a", "b", "c", "d", "e", "f", "g", "h"]);
    let diagnoses: Vec<&str> = release
        .data
        .rows()
        .iter()
        .map(|row| row[3].as_deref().unwrap())
        .collect();
    assert_eq!(diagnoses[0], "C50.9");
}

#[test]
fn icd10_hierarchy_as_quasi_identifier() {
    let data = patients();
    let qis = [QuasiIdentifier::new(
        "diagnosis",
        Hierarchy::icd10(data.distinct_values("diagnosis").unwrap()).unwrap(),
    )];
    let release = anonymize(&data, &qis, &Settings::k_anonymity(2)).unwrap();
    // C50 has 4 records, C18 2 and C61 2: the category level suffices.
    assert_eq!(release.report.quasi_identifiers[0].level, 1);
    let diagnosis = release.data.column_index("diagnosis").unwrap();
    assert_eq!(release.data.rows()[2][diagnosis].as_deref(), Some("C18"));
}

#[test]
fn suppression_stays_within_limit() {
    let data = patients();
    let qis = builtin_qis(&data);
    for (limit, allowed) in [(0.0, 0), (0.125, 1), (0.25, 2), (0.5, 4)] {
        let mut settings = Settings::k_anonymity(3);
        settings.suppression_limit = limit;
        let release = anonymize(&data, &qis, &settings).unwrap();
        let report = &release.report;
        assert!(
            report.records_suppressed <= allowed,
            "limit {limit}: {} suppressed",
            report.records_suppressed
        );
        assert_eq!(
            report.records_released + report.records_suppressed,
            data.len()
        );
        assert_eq!(release.data.len(), report.records_released);
        assert!(report.k_reached >= 3, "limit {limit}");
        assert_eq!(
            verify_k(&release.data, &["birth_date", "municipality", "age"], 3),
            Ok(())
        );
    }
}

#[test]
fn report_serialises_to_json() {
    let data = patients();
    let mut settings = Settings::k_anonymity(2);
    settings.sensitive = vec!["diagnosis".to_owned()];
    settings.l = Some(LDiversity::Distinct { l: 2 });
    settings.suppression_limit = 0.25;
    let release = anonymize(&data, &builtin_qis(&data), &settings).unwrap();
    let report = &release.report;
    let json = serde_json::to_value(report).unwrap();

    assert_eq!(json["settings"]["k"], 2);
    assert_eq!(json["settings"]["l"]["model"], "distinct");
    assert_eq!(json["settings"]["l"]["l"], 2);
    assert_eq!(json["settings"]["metric"], "loss");
    assert_eq!(json["quasi_identifiers"][0]["column"], "birth_date");
    assert_eq!(json["k_reached"], report.k_reached);
    assert_eq!(json["l_reached"][0]["column"], "diagnosis");
    assert!(json["group_sizes"].is_array());
    assert!(json["risk"]["highest"].as_f64().unwrap() <= 0.5);
    assert!(json["risk"]["average"].as_f64().unwrap() <= json["risk"]["highest"].as_f64().unwrap());
    assert!(json["information_loss"]["loss"].as_f64().unwrap() > 0.0);
    assert_eq!(json["search"]["lattice_nodes"], 5 * 3 * 5);
    assert!(json["search"]["nodes_checked"].as_u64().unwrap() >= 1);
    assert!(report.l_reached[0].distinct_l >= 2);
    assert_eq!(
        verify_distinct_l(
            &release.data,
            &["birth_date", "municipality", "age"],
            "diagnosis",
            2
        ),
        Ok(())
    );
}

#[test]
fn prosecutor_risk_follows_group_sizes() {
    let data = patients();
    let release = anonymize(&data, &builtin_qis(&data), &Settings::k_anonymity(2)).unwrap();
    let report = &release.report;
    let groups: usize = report.group_sizes.iter().map(|count| count.groups).sum();
    assert_eq!(report.risk.highest, 1.0 / report.k_reached as f64);
    assert_eq!(
        report.risk.average,
        groups as f64 / report.records_released as f64
    );
}

#[test]
fn entropy_l_diversity_is_enforced() {
    // Group x contains a, a, a, b: entropy 0.56 nats, below ln 2 = 0.69, so it
    // fails entropy 2-diversity although it has two distinct values.
    let data =
        Dataset::from_csv_str("g;s\nx;a\nx;a\nx;a\nx;b\ny;a\ny;b\ny;c\ny;d\n", b';').unwrap();
    let qis = [QuasiIdentifier::new(
        "g",
        Hierarchy::from_csv_str("x;*\ny;*\n").unwrap(),
    )];
    let mut settings = Settings::k_anonymity(2);
    settings.sensitive = vec!["s".to_owned()];
    settings.l = Some(LDiversity::Entropy { l: 2.0 });
    settings.suppression_limit = 0.5;
    let release = anonymize(&data, &qis, &settings).unwrap();
    assert_eq!(release.report.records_suppressed, 4);
    assert!(
        release
            .data
            .rows()
            .iter()
            .all(|row| row[0].as_deref() == Some("y"))
    );
    assert!(release.report.l_reached[0].entropy_l >= 2.0 - 1e-9);
}

#[test]
fn discernibility_metric_is_reported() {
    let data = patients();
    let mut settings = Settings::k_anonymity(2);
    settings.metric = Metric::Discernibility;
    let release = anonymize(&data, &builtin_qis(&data), &settings).unwrap();
    let report = &release.report;
    let expected: usize = report
        .group_sizes
        .iter()
        .map(|count| count.size * count.size * count.groups)
        .sum::<usize>()
        + data.len() * report.records_suppressed;
    assert_eq!(report.information_loss.discernibility, expected as u64);
    assert_eq!(report.information_loss.metric, Metric::Discernibility);
}

#[test]
fn identity_number_is_masked_in_errors() {
    let data = Dataset::from_csv_str("code\n14039012345\n", b';').unwrap();
    let qis = [QuasiIdentifier::new(
        "code",
        Hierarchy::from_csv_str("00000000000;*\n").unwrap(),
    )];
    let error = anonymize(&data, &qis, &Settings::k_anonymity(1)).unwrap_err();
    let message = error.to_string();
    assert!(!message.contains("14039012345"), "{message}");
    assert!(message.contains("140390*****"), "{message}");
}

#[test]
fn no_solution_names_the_model() {
    let data = patients();
    let mut settings = Settings::k_anonymity(9);
    settings.suppression_limit = 0.1;
    let error = anonymize(&data, &builtin_qis(&data), &settings).unwrap_err();
    assert_eq!(
        error,
        DisclosureError::NoSolution {
            model: "9-anonymity".to_owned(),
            max_suppressed: 0,
            records: 8,
        }
    );
}
