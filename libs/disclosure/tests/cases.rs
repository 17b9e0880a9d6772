#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Small inputs on which anonymisation tools have been reported to go
//! wrong, with the property a correct result must have. Each test contains
//! its input inline.

mod common;

use std::collections::BTreeSet;

use hap_disclosure::{
    Cell, Dataset, DisclosureError, FrequencyTable, GroupSizeCount, Hierarchy, LDiversity,
    MinCellCount, QuasiIdentifier, Settings, SuppressionReason, anonymize, verify_distinct_l,
    verify_k,
};

// A zipcode that the hierarchy lacks must stop the release, even when
// suppression could remove its record.

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

#[test]
fn value_missing_from_hierarchy_is_rejected() {
    let data = Dataset::from_csv_str(ZIPCODE_DATA, b';').unwrap();
    let qis = [QuasiIdentifier::new(
        "zipcode",
        Hierarchy::from_csv_str(ZIPCODE_HIERARCHY).unwrap(),
    )];
    for limit in [0.0, 1.0] {
        let mut settings = Settings::k_anonymity(2);
        settings.suppression_limit = limit;
        let error = anonymize(&data, &qis, &settings).unwrap_err();
        assert_eq!(
            error,
            DisclosureError::ValueNotInHierarchy {
                column: "zipcode".to_owned(),
                value: "81675".to_owned(),
            },
            "suppression limit {limit}"
        );
        let message = error.to_string();
        assert!(message.contains("`zipcode`"), "{message}");
        assert!(message.contains("`81675`"), "{message}");
    }
}

// An empty county is a value of its own, never a wildcard.

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

fn missing_county_inputs() -> (Dataset, Vec<QuasiIdentifier>) {
    let data = Dataset::from_csv_str(MISSING_COUNTY_DATA, b';').unwrap();
    let qis = vec![
        QuasiIdentifier::new(
            "age_band",
            Hierarchy::from_csv_str("20-49;*\n60-79;*\n").unwrap(),
        ),
        QuasiIdentifier::new("sex", Hierarchy::from_csv_str("M;*\nF;*\n").unwrap()),
        QuasiIdentifier::new("county", Hierarchy::from_csv_str("Agder;*\n").unwrap()),
    ];
    (data, qis)
}

#[test]
fn missing_value_forms_its_own_group() {
    let (data, qis) = missing_county_inputs();
    let mut settings = Settings::k_anonymity(3);
    settings.suppression_limit = 0.5;
    let release = anonymize(&data, &qis, &settings).unwrap();

    assert_eq!(
        verify_k(&release.data, &["age_band", "sex", "county"], 3),
        Ok(())
    );
    // The two records with an empty county cannot reach 3 at any level,
    // because they never merge with Agder or `*`, so they are suppressed.
    assert_eq!(release.report.records_suppressed, 2);
    assert_eq!(release.data.len(), 7);
    let county = release.data.column_index("county").unwrap();
    assert!(release.data.rows().iter().all(|row| row[county].is_some()));
    let young = release
        .data
        .rows()
        .iter()
        .filter(|row| row[0].as_deref() == Some("20-49"))
        .count();
    assert_eq!(young, 3);

    // Generalising sex alone is the cheapest way to 3-anonymity.
    let levels: Vec<usize> = release
        .report
        .quasi_identifiers
        .iter()
        .map(|chosen| chosen.level)
        .collect();
    assert_eq!(levels, vec![0, 1, 0]);
    assert_eq!(release.report.k_reached, 3);
    assert_eq!(
        release.report.group_sizes,
        vec![
            GroupSizeCount { size: 3, groups: 1 },
            GroupSizeCount { size: 4, groups: 1 },
        ]
    );
}

#[test]
fn missing_value_without_suppression_has_no_solution() {
    // Were an empty county a wildcard, generalising everything would put
    // all 9 records in one group. As a value of its own, it leaves a group
    // of 2 at every level.
    let (data, qis) = missing_county_inputs();
    let error = anonymize(&data, &qis, &Settings::k_anonymity(3)).unwrap_err();
    assert!(
        matches!(error, DisclosureError::NoSolution { .. }),
        "{error:?}"
    );
}

// l-diversity with an empty quasi-identifier value.

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

#[test]
fn l_diversity_with_missing_quasi_identifier() {
    let data = Dataset::from_csv_str(DIVERSITY_DATA, b';').unwrap();
    let qis = [
        QuasiIdentifier::new(
            "sex",
            Hierarchy::from_csv_str("female;*\nmale;*\n").unwrap(),
        ),
        QuasiIdentifier::new(
            "occupation",
            Hierarchy::from_csv_str("teacher;*\nnurse;*\n").unwrap(),
        ),
        QuasiIdentifier::new(
            "group",
            Hierarchy::from_csv_str("other;*\nmajority;*\n").unwrap(),
        ),
    ];
    let mut settings = Settings::k_anonymity(2);
    settings.l = Some(LDiversity::Distinct { l: 2 });
    settings.sensitive = vec!["diagnosis".to_owned()];
    let release = anonymize(&data, &qis, &settings).unwrap();
    let report = &release.report;

    assert!(
        report
            .quasi_identifiers
            .iter()
            .all(|chosen| chosen.level == 0)
    );
    assert_eq!(report.records_suppressed, 0);
    assert_eq!(release.data.len(), 7);

    let groups: BTreeSet<Vec<Option<String>>> = release
        .data
        .rows()
        .iter()
        .map(|row| row[..3].to_vec())
        .collect();
    let expected: BTreeSet<Vec<Option<String>>> = [
        [Some("female"), None, Some("other")],
        [Some("male"), Some("teacher"), Some("other")],
        [Some("female"), Some("nurse"), Some("majority")],
    ]
    .iter()
    .map(|group| group.iter().map(|cell| cell.map(str::to_owned)).collect())
    .collect();
    assert_eq!(groups, expected);

    assert_eq!(report.k_reached, 2);
    assert_eq!(report.l_reached.len(), 1);
    assert_eq!(report.l_reached[0].column, "diagnosis");
    assert_eq!(report.l_reached[0].distinct_l, 2);
    // The group with an empty occupation contains 1, 1, 0: its entropy is
    // below ln 2, so entropy l reached is below 2.
    let entropy = -(2.0f64 / 3.0 * (2.0f64 / 3.0).ln() + 1.0 / 3.0 * (1.0f64 / 3.0).ln());
    assert!((report.l_reached[0].entropy_l - entropy.exp()).abs() < 1e-12);
    assert_eq!(
        report.group_sizes,
        vec![
            GroupSizeCount { size: 2, groups: 2 },
            GroupSizeCount { size: 3, groups: 1 },
        ]
    );
    assert_eq!(
        verify_distinct_l(
            &release.data,
            &["sex", "occupation", "group"],
            "diagnosis",
            2
        ),
        Ok(())
    );
}

// A small cell in a table with totals.

const TABLE_DATA: &str = "\
county;diagnosis_group;persons
Agder;C50;41
Agder;C18;3
Agder;C61;27
Troms;C50;22
Troms;C18;19
Troms;C61;30
Viken;C50;95
Viken;C18;64
Viken;C61;88
";

#[test]
fn small_cell_and_its_complements_are_suppressed() {
    let data = Dataset::from_csv_str(TABLE_DATA, b';').unwrap();
    let table = FrequencyTable::from_counts(&data, "county", "diagnosis_group", "persons").unwrap();
    let protected = table.protect(MinCellCount::default()).unwrap();

    assert_eq!(
        protected.cell(Some("Agder"), Some("C18")),
        Some(Cell::Suppressed(SuppressionReason::Primary))
    );
    let agder = common::position(protected.row_labels(), "Agder");
    let c18 = common::position(protected.column_labels(), "C18");
    let in_agder = protected.cells()[agder]
        .iter()
        .filter(|cell| cell.is_suppressed())
        .count();
    assert!(in_agder >= 2, "row Agder has {in_agder} suppressed cells");
    let in_c18 = protected
        .cells()
        .iter()
        .filter(|row| row[c18].is_suppressed())
        .count();
    assert!(in_c18 >= 2, "column C18 has {in_c18} suppressed cells");

    assert_eq!(protected.row_totals()[agder], Cell::Published(71));
    assert_eq!(protected.column_totals()[c18], Cell::Published(86));
    assert_eq!(protected.verify(), Ok(()));

    let grid = common::extended_grid(&table, &protected);
    assert_eq!(
        common::lines_with_single_suppression(&grid),
        Vec::<String>::new()
    );
    assert_eq!(common::computable_entries(&grid), Vec::<String>::new());

    // The greedy choice completes a rectangle: Agder/C61 = 27, Troms/C18 =
    // 19 and Troms/C61 = 30.
    let secondary: Vec<(&str, &str)> = grid
        .entries
        .iter()
        .filter(|entry| entry.suppressed && entry.value != 3)
        .map(|entry| (entry.row.as_str(), entry.column.as_str()))
        .collect();
    assert_eq!(
        secondary,
        vec![("Agder", "C61"), ("Troms", "C18"), ("Troms", "C61")]
    );
}
