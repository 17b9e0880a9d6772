//! Frequency tables of distinct persons with cell suppression.
//!
//! A [`FrequencyTable`] counts persons by a row attribute and a column
//! attribute, with row totals, column totals and a grand total.
//! [`FrequencyTable::protect`] suppresses every non-zero count below the
//! minimum cell count (primary suppression), then suppresses further cells
//! until no suppressed value can be worked out from the published cells and
//! totals (secondary suppression).

mod check;
mod protect;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Serialize;
use thiserror::Error;

use crate::dataset::Dataset;
use crate::masking::masked;

pub use check::TableViolation;
pub use protect::{Cell, ProtectedTable, SuppressionReason};

/// A row or column category; `None` is the category of records whose value
/// is missing.
pub type Label = Option<String>;

/// Shows a label in a message, with `(missing)` for the missing category.
pub(crate) fn display_label(label: &Label) -> String {
    match label {
        Some(text) => masked(text),
        None => "(missing)".to_owned(),
    }
}

/// Smallest count that may be published; a non-zero count below it is
/// suppressed. The default is 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MinCellCount(u64);

impl MinCellCount {
    /// Builds a minimum cell count; it must be at least 1.
    pub fn new(count: u64) -> Result<Self, TableError> {
        if count == 0 {
            return Err(TableError::InvalidMinCount);
        }
        Ok(Self(count))
    }

    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for MinCellCount {
    fn default() -> Self {
        Self(5)
    }
}

/// Errors from building or protecting a frequency table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("column `{column}` is not in the data set; its columns are {available}")]
    UnknownColumn { column: String, available: String },

    #[error(
        "record {row} has no value in person column `{column}`; every record needs a person id"
    )]
    MissingPerson { row: usize, column: String },

    #[error("record {row}: count `{}` in column `{column}` is not a whole number of persons", masked(.value))]
    InvalidCount {
        row: usize,
        column: String,
        value: String,
    },

    #[error("record {row} has no count in column `{column}`; give 0 for an empty cell")]
    MissingCount { row: usize, column: String },

    #[error("cell ({row_label}, {column_label}) is given twice; give one count per cell")]
    DuplicateCell {
        row_label: String,
        column_label: String,
    },

    #[error("label {label} appears twice among the {axis} labels; labels must be unique")]
    DuplicateLabel { axis: &'static str, label: String },

    #[error(
        "the table has {found} rows of cells for {expected} row labels, or a row of the wrong width"
    )]
    ShapeMismatch { found: usize, expected: usize },

    #[error("the counts add up to more than {}; check the count column", u64::MAX)]
    CountOverflow,

    #[error("the minimum cell count must be at least 1")]
    InvalidMinCount,

    #[error(
        "suppressed cell ({row_label}, {column_label}) cannot be protected: no non-zero published \
         cell is left to suppress with it; merge small categories and try again"
    )]
    CannotProtect {
        row_label: String,
        column_label: String,
    },

    #[error("cell suppression left the table unprotected: {0}")]
    Unprotected(#[from] TableViolation),
}

/// Counts by two attributes with their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FrequencyTable {
    row_labels: Vec<Label>,
    column_labels: Vec<Label>,
    /// `cells[row][column]`.
    cells: Vec<Vec<u64>>,
    row_totals: Vec<u64>,
    column_totals: Vec<u64>,
    grand_total: u64,
}

impl FrequencyTable {
    /// Counts distinct persons (values of `person_column`) per value of
    /// `row_column` and `column_column`. A missing row or column value is a
    /// category of its own. A total counts each person once, so it is less
    /// than the sum of its cells when a person falls in several cells.
    /// Labels are sorted, the missing category first.
    pub fn count_distinct_persons(
        data: &Dataset,
        person_column: &str,
        row_column: &str,
        column_column: &str,
    ) -> Result<Self, TableError> {
        let person_index = column_index(data, person_column)?;
        let row_index = column_index(data, row_column)?;
        let column_index_ = column_index(data, column_column)?;

        let mut row_set = BTreeSet::new();
        let mut column_set = BTreeSet::new();
        let mut memberships = HashSet::new();
        for (number, record) in data.rows().iter().enumerate() {
            let Some(person) = record[person_index].as_deref() else {
                return Err(TableError::MissingPerson {
                    row: number + 1,
                    column: person_column.to_owned(),
                });
            };
            let row_label = record[row_index].clone();
            let column_label = record[column_index_].clone();
            row_set.insert(row_label.clone());
            column_set.insert(column_label.clone());
            memberships.insert((row_label, column_label, person));
        }

        let row_labels: Vec<Label> = row_set.into_iter().collect();
        let column_labels: Vec<Label> = column_set.into_iter().collect();
        let row_position = positions(&row_labels);
        let column_position = positions(&column_labels);

        let mut cells = vec![vec![0u64; column_labels.len()]; row_labels.len()];
        let mut row_persons = vec![HashSet::new(); row_labels.len()];
        let mut column_persons = vec![HashSet::new(); column_labels.len()];
        let mut all_persons = HashSet::new();
        for (row_label, column_label, person) in &memberships {
            let row = row_position[row_label];
            let column = column_position[column_label];
            cells[row][column] += 1;
            row_persons[row].insert(*person);
            column_persons[column].insert(*person);
            all_persons.insert(*person);
        }
        Ok(Self {
            row_labels,
            column_labels,
            cells,
            row_totals: row_persons.iter().map(|set| set.len() as u64).collect(),
            column_totals: column_persons.iter().map(|set| set.len() as u64).collect(),
            grand_total: all_persons.len() as u64,
        })
    }

    /// Builds a table from counts that are already aggregated: one record
    /// per cell, with its row label, column label and count of persons.
    /// Cells without a record count 0. Totals are the sums of the cells.
    /// Labels are sorted, the missing category first.
    pub fn from_counts(
        data: &Dataset,
        row_column: &str,
        column_column: &str,
        count_column: &str,
    ) -> Result<Self, TableError> {
        let row_index = column_index(data, row_column)?;
        let column_index_ = column_index(data, column_column)?;
        let count_index = column_index(data, count_column)?;

        let mut counts: BTreeMap<(Label, Label), u64> = BTreeMap::new();
        for (number, record) in data.rows().iter().enumerate() {
            let text = record[count_index]
                .as_deref()
                .ok_or_else(|| TableError::MissingCount {
                    row: number + 1,
                    column: count_column.to_owned(),
                })?;
            let count: u64 = text.trim().parse().map_err(|_| TableError::InvalidCount {
                row: number + 1,
                column: count_column.to_owned(),
                value: text.to_owned(),
            })?;
            let key = (record[row_index].clone(), record[column_index_].clone());
            if counts.contains_key(&key) {
                return Err(TableError::DuplicateCell {
                    row_label: display_label(&key.0),
                    column_label: display_label(&key.1),
                });
            }
            counts.insert(key, count);
        }

        let row_labels: Vec<Label> = counts
            .keys()
            .map(|(row, _)| row.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let column_labels: Vec<Label> = counts
            .keys()
            .map(|(_, column)| column.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let row_position = positions(&row_labels);
        let column_position = positions(&column_labels);
        let mut cells = vec![vec![0u64; column_labels.len()]; row_labels.len()];
        for ((row_label, column_label), count) in counts {
            cells[row_position[&row_label]][column_position[&column_label]] = count;
        }
        Self::from_cells(row_labels, column_labels, cells)
    }

    /// Builds a table from a matrix of counts, `cells[row][column]`, in the
    /// order of the labels given. Totals are the sums of the cells.
    pub fn from_cells(
        row_labels: Vec<Label>,
        column_labels: Vec<Label>,
        cells: Vec<Vec<u64>>,
    ) -> Result<Self, TableError> {
        check_unique("row", &row_labels)?;
        check_unique("column", &column_labels)?;
        if cells.len() != row_labels.len()
            || cells.iter().any(|row| row.len() != column_labels.len())
        {
            return Err(TableError::ShapeMismatch {
                found: cells.len(),
                expected: row_labels.len(),
            });
        }
        let mut row_totals = Vec::with_capacity(cells.len());
        let mut column_totals = vec![0u64; column_labels.len()];
        let mut grand_total = 0u64;
        for row in &cells {
            let mut row_total = 0u64;
            for (column, &count) in row.iter().enumerate() {
                row_total = row_total
                    .checked_add(count)
                    .ok_or(TableError::CountOverflow)?;
                column_totals[column] = column_totals[column]
                    .checked_add(count)
                    .ok_or(TableError::CountOverflow)?;
            }
            grand_total = grand_total
                .checked_add(row_total)
                .ok_or(TableError::CountOverflow)?;
            row_totals.push(row_total);
        }
        Ok(Self {
            row_labels,
            column_labels,
            cells,
            row_totals,
            column_totals,
            grand_total,
        })
    }

    pub fn row_labels(&self) -> &[Label] {
        &self.row_labels
    }

    pub fn column_labels(&self) -> &[Label] {
        &self.column_labels
    }

    /// Counts, `cells()[row][column]`.
    pub fn cells(&self) -> &[Vec<u64>] {
        &self.cells
    }

    pub fn row_totals(&self) -> &[u64] {
        &self.row_totals
    }

    pub fn column_totals(&self) -> &[u64] {
        &self.column_totals
    }

    pub fn grand_total(&self) -> u64 {
        self.grand_total
    }

    /// Applies primary and secondary cell suppression; see
    /// [`ProtectedTable`].
    pub fn protect(&self, min_count: MinCellCount) -> Result<ProtectedTable, TableError> {
        protect::protect(self, min_count)
    }
}

fn column_index(data: &Dataset, column: &str) -> Result<usize, TableError> {
    data.column_index(column)
        .map_err(|_| TableError::UnknownColumn {
            column: column.to_owned(),
            available: data.columns().join(", "),
        })
}

fn positions(labels: &[Label]) -> std::collections::HashMap<Label, usize> {
    labels
        .iter()
        .enumerate()
        .map(|(position, label)| (label.clone(), position))
        .collect()
}

fn check_unique(axis: &'static str, labels: &[Label]) -> Result<(), TableError> {
    let mut seen = HashSet::new();
    for label in labels {
        if !seen.insert(label) {
            return Err(TableError::DuplicateLabel {
                axis,
                label: display_label(label),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distinct_persons_are_counted_once() {
        let data = Dataset::from_csv_str(
            "person;county;diagnosis\n\
             p1;Agder;C50\n\
             p1;Agder;C50\n\
             p1;Agder;C18\n\
             p2;Agder;C50\n\
             p3;;C18\n",
            b';',
        )
        .unwrap();
        let table =
            FrequencyTable::count_distinct_persons(&data, "person", "county", "diagnosis").unwrap();
        assert_eq!(table.row_labels(), [None, Some("Agder".to_owned())]);
        assert_eq!(
            table.column_labels(),
            [Some("C18".to_owned()), Some("C50".to_owned())]
        );
        assert_eq!(table.cells(), [vec![1, 0], vec![1, 2]]);
        // p1 is in two Agder cells but counts once in the Agder total.
        assert_eq!(table.row_totals(), [1, 2]);
        assert_eq!(table.column_totals(), [2, 2]);
        assert_eq!(table.grand_total(), 3);
    }

    #[test]
    fn missing_person_is_rejected() {
        let data = Dataset::from_csv_str("person;r;c\n;a;b\n", b';').unwrap();
        let error = FrequencyTable::count_distinct_persons(&data, "person", "r", "c").unwrap_err();
        assert_eq!(
            error,
            TableError::MissingPerson {
                row: 1,
                column: "person".to_owned()
            }
        );
    }

    #[test]
    fn counts_fill_absent_cells_with_zero() {
        let data = Dataset::from_csv_str("r;c;n\na;x;4\nb;y;6\n", b';').unwrap();
        let table = FrequencyTable::from_counts(&data, "r", "c", "n").unwrap();
        assert_eq!(table.cells(), [vec![4, 0], vec![0, 6]]);
        assert_eq!(table.row_totals(), [4, 6]);
        assert_eq!(table.column_totals(), [4, 6]);
        assert_eq!(table.grand_total(), 10);
    }

    #[test]
    fn duplicate_count_cell_is_rejected() {
        let data = Dataset::from_csv_str("r;c;n\na;x;4\na;x;6\n", b';').unwrap();
        let error = FrequencyTable::from_counts(&data, "r", "c", "n").unwrap_err();
        assert!(matches!(error, TableError::DuplicateCell { .. }));
    }

    #[test]
    fn invalid_count_is_rejected() {
        let data = Dataset::from_csv_str("r;c;n\na;x;4.5\n", b';').unwrap();
        let error = FrequencyTable::from_counts(&data, "r", "c", "n").unwrap_err();
        assert_eq!(
            error,
            TableError::InvalidCount {
                row: 1,
                column: "n".to_owned(),
                value: "4.5".to_owned()
            }
        );
    }

    #[test]
    fn ragged_cells_are_rejected() {
        let labels = vec![Some("a".to_owned()), Some("b".to_owned())];
        let error = FrequencyTable::from_cells(labels.clone(), labels, vec![vec![1, 2], vec![3]])
            .unwrap_err();
        assert!(matches!(error, TableError::ShapeMismatch { .. }));
    }

    #[test]
    fn min_count_must_be_positive() {
        assert_eq!(MinCellCount::new(0), Err(TableError::InvalidMinCount));
        assert_eq!(MinCellCount::default().get(), 5);
    }
}
