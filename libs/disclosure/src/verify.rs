//! Independent checks of a released data set.
//!
//! These work on the strings of the release, not on the search's integer
//! encoding, so they catch a fault in either. Missing values compare equal
//! only to other missing values.

use std::collections::{HashMap, HashSet};

use thiserror::Error;

use crate::dataset::Dataset;

/// A privacy property that a data set does not have.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Violation {
    #[error("column `{column}` is not in the data set")]
    UnknownColumn { column: String },

    #[error(
        "{records} records are in groups smaller than k = {k}; the smallest group has {smallest}"
    )]
    GroupTooSmall {
        k: usize,
        smallest: usize,
        records: usize,
    },

    #[error(
        "{records} records are in groups with fewer than l = {l} distinct values of \
         sensitive column `{column}`; the least diverse group has {distinct}"
    )]
    NotDiverse {
        column: String,
        l: usize,
        distinct: usize,
        records: usize,
    },
}

/// Checks that every group of records that agree on all of `qi_columns`
/// has at least `k` records.
pub fn verify_k(data: &Dataset, qi_columns: &[&str], k: usize) -> Result<(), Violation> {
    let indices = column_indices(data, qi_columns)?;
    let mut sizes: HashMap<GroupKey, usize> = HashMap::new();
    for row in data.rows() {
        *sizes.entry(key(row, &indices)).or_default() += 1;
    }
    let small: Vec<usize> = sizes.into_values().filter(|&size| size < k).collect();
    match small.iter().min() {
        None => Ok(()),
        Some(&smallest) => Err(Violation::GroupTooSmall {
            k,
            smallest,
            records: small.iter().sum(),
        }),
    }
}

/// Checks that every group of records that agree on all of `qi_columns`
/// contains at least `l` distinct values of `sensitive_column`, counting a
/// missing value as a value of its own.
pub fn verify_distinct_l(
    data: &Dataset,
    qi_columns: &[&str],
    sensitive_column: &str,
    l: usize,
) -> Result<(), Violation> {
    let indices = column_indices(data, qi_columns)?;
    let sensitive = column_indices(data, &[sensitive_column])?[0];
    let mut groups: HashMap<GroupKey, SensitiveValues> = HashMap::new();
    for row in data.rows() {
        let group = groups.entry(key(row, &indices)).or_default();
        group.records += 1;
        group.values.insert(row[sensitive].as_deref());
    }
    let poor: Vec<(usize, usize)> = groups
        .into_values()
        .map(|group| (group.records, group.values.len()))
        .filter(|&(_, distinct)| distinct < l)
        .collect();
    match poor.iter().map(|&(_, distinct)| distinct).min() {
        None => Ok(()),
        Some(distinct) => Err(Violation::NotDiverse {
            column: sensitive_column.to_owned(),
            l,
            distinct,
            records: poor.iter().map(|&(size, _)| size).sum(),
        }),
    }
}

/// Quasi-identifier values of a record, missing values as `None`.
type GroupKey<'a> = Vec<Option<&'a str>>;

/// Records of a group and the distinct sensitive values among them.
#[derive(Default)]
struct SensitiveValues<'a> {
    records: usize,
    values: HashSet<Option<&'a str>>,
}

fn column_indices(data: &Dataset, columns: &[&str]) -> Result<Vec<usize>, Violation> {
    columns
        .iter()
        .map(|&column| {
            data.column_index(column)
                .map_err(|_| Violation::UnknownColumn {
                    column: column.to_owned(),
                })
        })
        .collect()
}

fn key<'a>(row: &'a [Option<String>], indices: &[usize]) -> GroupKey<'a> {
    indices.iter().map(|&index| row[index].as_deref()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_value_is_not_a_wildcard() {
        // Two records with a missing county and one with Agder form two
        // groups, of 2 and 1, so 3-anonymity fails.
        let data = Dataset::from_csv_str("sex;county\nM;\nM;\nM;Agder\n", b';').unwrap();
        let result = verify_k(&data, &["sex", "county"], 3);
        assert_eq!(
            result,
            Err(Violation::GroupTooSmall {
                k: 3,
                smallest: 1,
                records: 3
            })
        );
    }

    #[test]
    fn k_holds_when_groups_are_large() {
        let data = Dataset::from_csv_str("sex;county\nM;\nM;\nF;A\nF;A\n", b';').unwrap();
        assert_eq!(verify_k(&data, &["sex", "county"], 2), Ok(()));
    }

    #[test]
    fn unknown_column_is_reported() {
        let data = Dataset::from_csv_str("sex\nM\n", b';').unwrap();
        assert_eq!(
            verify_k(&data, &["age"], 1),
            Err(Violation::UnknownColumn {
                column: "age".to_owned()
            })
        );
    }

    #[test]
    fn distinct_l_counts_missing_as_value() {
        let data = Dataset::from_csv_str("g;s\na;1\na;\nb;1\nb;1\n", b';').unwrap();
        let result = verify_distinct_l(&data, &["g"], "s", 2);
        assert_eq!(
            result,
            Err(Violation::NotDiverse {
                column: "s".to_owned(),
                l: 2,
                distinct: 1,
                records: 2
            })
        );
    }
}
