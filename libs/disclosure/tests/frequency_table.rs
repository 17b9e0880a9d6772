#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Cell suppression on generated tables, checked against independent
//! linear algebra.

mod common;

use hap_disclosure::{Cell, Dataset, FrequencyTable, MinCellCount, SuppressionReason, TableError};

/// Deterministic pseudo-random numbers (a 64-bit LCG), enough to vary
/// test inputs.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % bound
    }
}

fn labels(prefix: &str, count: usize) -> Vec<Option<String>> {
    (0..count)
        .map(|index| Some(format!("{prefix}{index}")))
        .collect()
}

#[test]
fn checker_finds_computable_entry() {
    // One suppressed cell in a row: the row total gives it away. The check
    // must report it, or the other tests prove nothing.
    let table = FrequencyTable::from_cells(
        labels("r", 2),
        labels("c", 2),
        vec![vec![20, 30], vec![40, 50]],
    )
    .unwrap();
    let protected = table.protect(MinCellCount::default()).unwrap();
    let mut grid = common::extended_grid(&table, &protected);
    grid.entries[0].suppressed = true;
    assert_eq!(
        common::computable_entries(&grid),
        vec!["(r0, c0) = 20".to_owned()]
    );
    assert_eq!(
        common::lines_with_single_suppression(&grid),
        vec!["row 0".to_owned(), "column 0".to_owned()]
    );
}

#[test]
fn checker_finds_bridge_between_rectangles() {
    // Every line has 0 or at least 2 suppressed entries, yet the entry that
    // links two suppressed rectangles is fixed.
    let cells: Vec<Vec<u64>> = (0..4)
        .map(|row| (0..4).map(|column| 10 + row * 4 + column).collect())
        .collect();
    let table = FrequencyTable::from_cells(labels("r", 4), labels("c", 4), cells).unwrap();
    let protected = table.protect(MinCellCount::default()).unwrap();
    let mut grid = common::extended_grid(&table, &protected);
    for (row, column) in [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
        (1, 2),
        (2, 2),
        (2, 3),
        (3, 2),
        (3, 3),
    ] {
        grid.entries[row * grid.columns + column].suppressed = true;
    }
    assert!(common::lines_with_single_suppression(&grid).is_empty());
    assert_eq!(
        common::computable_entries(&grid),
        vec!["(r1, c2) = 16".to_owned()]
    );
}

#[test]
fn generated_tables_hide_every_suppressed_value() {
    let mut rng = Lcg(73_102_024);
    let mut protected_tables = 0;
    let mut secondary = 0;
    for case in 0..300 {
        let rows = 1 + rng.below(6) as usize;
        let columns = 1 + rng.below(6) as usize;
        let cells: Vec<Vec<u64>> = (0..rows)
            .map(|_| {
                (0..columns)
                    .map(|_| match rng.below(10) {
                        0 => 0,
                        1..=3 => 1 + rng.below(4),
                        _ => 5 + rng.below(95),
                    })
                    .collect()
            })
            .collect();
        let table =
            FrequencyTable::from_cells(labels("r", rows), labels("c", columns), cells).unwrap();
        let protected = match table.protect(MinCellCount::default()) {
            Ok(protected) => protected,
            // Possible only when every entry that could close a cycle is 0.
            Err(TableError::CannotProtect { .. }) => continue,
            Err(other) => panic!("case {case}: {other}"),
        };
        protected_tables += 1;
        secondary += protected.suppressed_count(SuppressionReason::Secondary);

        assert_eq!(protected.verify(), Ok(()), "case {case}");
        let grid = common::extended_grid(&table, &protected);
        assert_eq!(
            common::lines_with_single_suppression(&grid),
            Vec::<String>::new(),
            "case {case}"
        );
        assert_eq!(
            common::computable_entries(&grid),
            Vec::<String>::new(),
            "case {case}"
        );
        for entry in &grid.entries {
            let small = entry.value > 0 && entry.value < 5;
            assert!(
                !small || entry.suppressed,
                "case {case}: small entry ({}, {}) published",
                entry.row,
                entry.column
            );
            assert!(
                !entry.suppressed || entry.value > 0,
                "case {case}: zero entry ({}, {}) suppressed",
                entry.row,
                entry.column
            );
        }
    }
    assert!(
        protected_tables >= 250,
        "only {protected_tables} tables protected"
    );
    assert!(secondary > 0, "no secondary suppression was exercised");
}

#[test]
fn distinct_person_table_is_protected() {
    let mut text = String::from("person;county;diagnosis\n");
    let counts = [
        ("Agder", "C50", 12),
        ("Agder", "C18", 2),
        ("Troms", "C50", 9),
        ("Troms", "C18", 7),
    ];
    let mut person = 0;
    for (county, diagnosis, count) in counts {
        for _ in 0..count {
            person += 1;
            // Every person appears twice; the table counts them once.
            text.push_str(&format!("p{person};{county};{diagnosis}\n"));
            text.push_str(&format!("p{person};{county};{diagnosis}\n"));
        }
    }
    let data = Dataset::from_csv_str(&text, b';').unwrap();
    let table =
        FrequencyTable::count_distinct_persons(&data, "person", "county", "diagnosis").unwrap();
    assert_eq!(table.grand_total(), 30);
    let protected = table.protect(MinCellCount::default()).unwrap();
    assert_eq!(
        protected.cell(Some("Agder"), Some("C18")),
        Some(Cell::Suppressed(SuppressionReason::Primary))
    );
    assert_eq!(protected.verify(), Ok(()));
    let grid = common::extended_grid(&table, &protected);
    assert_eq!(common::computable_entries(&grid), Vec::<String>::new());
}

#[test]
fn protected_table_serialises_cells() {
    let table =
        FrequencyTable::from_cells(labels("r", 1), labels("c", 2), vec![vec![3, 40]]).unwrap();
    let protected = table.protect(MinCellCount::default()).unwrap();
    let json = serde_json::to_value(&protected).unwrap();
    assert_eq!(
        json["cells"][0][0],
        serde_json::json!({"suppressed": "primary"})
    );
    assert_eq!(
        json["cells"][0][1],
        serde_json::json!({"suppressed": "secondary"})
    );
    assert_eq!(
        json["column_totals"][1],
        serde_json::json!({"suppressed": "secondary"})
    );
    assert_eq!(json["grand_total"], serde_json::json!({"published": 43}));
}
