//! An independent checker of released microdata, written for the tests
//! from the definitions alone: it shares no code with the library and
//! works on the strings of the input and the output.
//!
//! Missing values (`None`) compare equal only to each other. The reference
//! distribution for t-closeness is the whole input.

use std::collections::HashMap;

use hap_disclosure::Dataset;

/// Privacy figures of a release as measured by the checker.
#[derive(Debug)]
pub struct Measured {
    pub records: usize,
    pub released: usize,
    /// Smallest group; 0 when nothing is released.
    pub k: usize,
    /// Per sensitive column: fewest distinct values in a group.
    pub distinct_l: Vec<usize>,
    /// Per sensitive column: `exp` of the lowest group entropy (nats).
    pub entropy_l: Vec<f64>,
    /// Per sensitive column: largest earth mover's distance of a group.
    pub t: Vec<f64>,
}

type Key = Vec<Option<String>>;

/// Measures `released` against `input`. Panics when a column is missing or
/// a released record cannot come from an input record. Every released row
/// must match a later input row than the one before it, agree with it on
/// every column outside `qis`, and keep each missing quasi-identifier
/// missing.
pub fn measure(input: &Dataset, released: &Dataset, qis: &[&str], sensitive: &[&str]) -> Measured {
    assert_eq!(input.columns(), released.columns(), "columns changed");
    let index = |name: &str| {
        input
            .columns()
            .iter()
            .position(|column| column == name)
            .unwrap_or_else(|| panic!("column {name} missing"))
    };
    let qi_index: Vec<usize> = qis.iter().map(|name| index(name)).collect();
    check_order(input, released, &qi_index);

    let mut groups: HashMap<Key, Vec<usize>> = HashMap::new();
    for (number, row) in released.rows().iter().enumerate() {
        let key = qi_index.iter().map(|&column| row[column].clone()).collect();
        groups.entry(key).or_default().push(number);
    }
    let k = groups.values().map(Vec::len).min().unwrap_or(0);

    let mut distinct_l = Vec::new();
    let mut entropy_l = Vec::new();
    let mut t = Vec::new();
    for name in sensitive {
        let column = index(name);
        let overall = counts(input.rows().iter().map(|row| &row[column]));
        let numeric = overall.keys().all(|value| {
            value
                .as_deref()
                .is_some_and(|text| text.parse::<f64>().is_ok())
        });
        let mut fewest = usize::MAX;
        let mut lowest_entropy = f64::INFINITY;
        let mut furthest = 0.0f64;
        for members in groups.values() {
            let group = counts(members.iter().map(|&row| &released.rows()[row][column]));
            fewest = fewest.min(group.len());
            let size = members.len() as f64;
            let entropy: f64 = group
                .values()
                .map(|&count| -(count as f64 / size) * (count as f64 / size).ln())
                .sum();
            lowest_entropy = lowest_entropy.min(entropy);
            furthest = furthest.max(distance(
                &overall,
                input.len(),
                &group,
                members.len(),
                numeric,
            ));
        }
        distinct_l.push(if groups.is_empty() { 0 } else { fewest });
        entropy_l.push(lowest_entropy.exp());
        t.push(furthest);
    }

    Measured {
        records: input.len(),
        released: released.len(),
        k,
        distinct_l,
        entropy_l,
        t,
    }
}

fn counts<'a>(values: impl Iterator<Item = &'a Option<String>>) -> HashMap<Option<String>, usize> {
    let mut counts = HashMap::new();
    for value in values {
        *counts.entry(value.clone()).or_default() += 1;
    }
    counts
}

/// Earth mover's distance between a group's counts and the overall counts:
/// ordered by number when `numeric`, else every two values at distance 1.
fn distance(
    overall: &HashMap<Option<String>, usize>,
    total: usize,
    group: &HashMap<Option<String>, usize>,
    size: usize,
    numeric: bool,
) -> f64 {
    let share_in_group =
        |value: &Option<String>| group.get(value).copied().unwrap_or(0) as f64 / size as f64;
    let share_overall = |value: &Option<String>| overall[value] as f64 / total as f64;
    if !numeric {
        let sum: f64 = overall
            .keys()
            .map(|value| (share_in_group(value) - share_overall(value)).abs())
            .sum();
        return sum / 2.0;
    }
    let mut values: Vec<&Option<String>> = overall.keys().collect();
    let number = |value: &Option<String>| value.as_deref().unwrap().parse::<f64>().unwrap();
    values.sort_by(|a, b| number(a).total_cmp(&number(b)));
    if values.len() < 2 {
        return 0.0;
    }
    let mut cumulative = 0.0;
    let mut sum = 0.0;
    for value in &values {
        cumulative += share_in_group(value) - share_overall(value);
        sum += f64::abs(cumulative);
    }
    sum / (values.len() - 1) as f64
}

/// Panics unless the released rows are input rows in input order, with
/// only quasi-identifiers changed and missing values kept missing.
fn check_order(input: &Dataset, released: &Dataset, qi_index: &[usize]) {
    let mut candidates = input.rows().iter();
    for (number, row) in released.rows().iter().enumerate() {
        let found = candidates.any(|original| {
            original
                .iter()
                .zip(row)
                .enumerate()
                .all(|(column, (before, after))| {
                    if qi_index.contains(&column) {
                        before.is_some() == after.is_some()
                    } else {
                        before == after
                    }
                })
        });
        assert!(
            found,
            "released row {number} {row:?} matches no later input row"
        );
    }
}
