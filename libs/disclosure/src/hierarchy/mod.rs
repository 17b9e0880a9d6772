//! Generalisation hierarchies.
//!
//! A [`Hierarchy`] maps each level-0 value to its value at every level, level
//! 0 first and a single root such as `*` last. Hierarchies come from CSV in
//! the ARX format ([`Hierarchy::from_csv_reader`]) or from the built-in
//! builders for numeric intervals, dates, code prefixes (ICD-10) and
//! Norwegian municipality numbers.
//!
//! Every hierarchy is a tree: a value at any level has one parent. This makes
//! each level a coarsening of the one below it, which full-domain
//! generalisation and the monotonicity used by the search rely on.

mod codes;
mod dates;
mod intervals;
mod municipality;

use std::collections::HashMap;
use std::io::Read;

use crate::error::HierarchyError;

/// A generalisation hierarchy for one quasi-identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hierarchy {
    /// One row per level-0 value; `rows[i][0]` is the value itself and the
    /// last entry is the root.
    rows: Vec<Vec<String>>,
    /// Row number of each level-0 value.
    index: foldhash::HashMap<String, usize>,
    level_names: Vec<String>,
}

impl Hierarchy {
    /// Builds a hierarchy from rows of generalisations (level 0 first, the
    /// root last). Rejects ragged rows, empty values, duplicate level-0
    /// values, a value with two parents and a top level with several values.
    /// Levels are named `level 0`, `level 1` and so on.
    pub fn from_rows(rows: Vec<Vec<String>>) -> Result<Self, HierarchyError> {
        let Some(first) = rows.first() else {
            return Err(HierarchyError::Empty);
        };
        let height = first.len();
        if height == 0 {
            return Err(HierarchyError::RaggedRow {
                row: 1,
                found: 0,
                expected: 1,
            });
        }

        let mut index = foldhash::HashMap::with_capacity_and_hasher(rows.len(), Default::default());
        for (row_number, row) in rows.iter().enumerate() {
            if row.len() != height {
                return Err(HierarchyError::RaggedRow {
                    row: row_number + 1,
                    found: row.len(),
                    expected: height,
                });
            }
            if let Some(level) = row.iter().position(String::is_empty) {
                return Err(HierarchyError::EmptyValue {
                    row: row_number + 1,
                    level,
                });
            }
            if let Some(&earlier) = index.get(&row[0]) {
                return Err(HierarchyError::DuplicateValue {
                    value: row[0].clone(),
                    first: earlier + 1,
                    second: row_number + 1,
                });
            }
            index.insert(row[0].clone(), row_number);
        }

        check_tree(&rows)?;

        let level_names = (0..height).map(|level| format!("level {level}")).collect();
        Ok(Self {
            rows,
            index,
            level_names,
        })
    }

    /// Reads a hierarchy in the ARX CSV format: no header, one row per
    /// level-0 value, fields separated by `;`, level 0 first and `*` last.
    /// Blank lines are skipped.
    pub fn from_csv_reader<R: Read>(reader: R) -> Result<Self, HierarchyError> {
        let mut csv_reader = csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut rows = Vec::new();
        for record in csv_reader.records() {
            let record = record.map_err(|error| HierarchyError::Csv(error.to_string()))?;
            if record.iter().all(str::is_empty) {
                continue;
            }
            rows.push(record.iter().map(str::to_owned).collect());
        }
        Self::from_rows(rows)
    }

    /// Reads a hierarchy in the ARX CSV format from a string; see
    /// [`Hierarchy::from_csv_reader`].
    pub fn from_csv_str(text: &str) -> Result<Self, HierarchyError> {
        Self::from_csv_reader(text.as_bytes())
    }

    /// Replaces the level names, which the report shows next to the chosen
    /// level. Give one name per level.
    pub fn with_level_names<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Self, HierarchyError> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.len() != self.height() {
            return Err(HierarchyError::LevelNameCount {
                found: names.len(),
                expected: self.height(),
            });
        }
        self.level_names = names;
        Ok(self)
    }

    /// Number of levels, level 0 and the root included.
    pub fn height(&self) -> usize {
        self.rows.first().map_or(0, Vec::len)
    }

    /// Highest level, the root.
    pub fn max_level(&self) -> usize {
        self.height().saturating_sub(1)
    }

    /// Number of level-0 values: the domain that the loss metric measures
    /// generalised values against.
    pub fn domain_size(&self) -> usize {
        self.rows.len()
    }

    /// Name of `level`, if the hierarchy has that level.
    pub fn level_name(&self, level: usize) -> Option<&str> {
        self.level_names.get(level).map(String::as_str)
    }

    /// Returns whether `value` is a level-0 value of this hierarchy.
    pub fn contains(&self, value: &str) -> bool {
        self.index.contains_key(value)
    }

    /// Returns the generalisation of level-0 `value` at `level`, or `None`
    /// when the value or the level is not in the hierarchy.
    pub fn generalise(&self, value: &str, level: usize) -> Option<&str> {
        let row = self.index.get(value)?;
        self.rows[*row].get(level).map(String::as_str)
    }

    /// Row number of a level-0 value, which the encoding uses as its id.
    pub(crate) fn leaf_id(&self, value: &str) -> Option<usize> {
        self.index.get(value).copied()
    }

    pub(crate) fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }
}

/// Checks that every value above level 0 has one parent and that the top
/// level is a single root.
fn check_tree(rows: &[Vec<String>]) -> Result<(), HierarchyError> {
    let height = rows.first().map_or(0, Vec::len);
    for level in 1..height.saturating_sub(1) {
        let mut parents: HashMap<&str, &str> = HashMap::new();
        for row in rows {
            let value = row[level].as_str();
            let parent = row[level + 1].as_str();
            match parents.get(value) {
                Some(&known) if known != parent => {
                    return Err(HierarchyError::NotATree {
                        level,
                        value: value.to_owned(),
                        first_parent: known.to_owned(),
                        second_parent: parent.to_owned(),
                    });
                }
                Some(_) => {}
                None => {
                    parents.insert(value, parent);
                }
            }
        }
    }

    let top = height - 1;
    let root = rows[0][top].as_str();
    if let Some(other) = rows.iter().find(|row| row[top] != root) {
        return Err(HierarchyError::NoSingleRoot {
            first: root.to_owned(),
            second: other[top].clone(),
        });
    }
    Ok(())
}

/// Collects distinct values in first-seen order.
fn distinct<'a>(values: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    values
        .into_iter()
        .filter(|value| seen.insert(*value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ZIP: &str = "81667;8166*;816**;81***;*\n\
                       81925;8192*;819**;81***;*\n\
                       81931;8193*;819**;81***;*\n";

    #[test]
    fn csv_levels_are_read_in_order() {
        let hierarchy = Hierarchy::from_csv_str(ZIP).unwrap();
        assert_eq!(hierarchy.height(), 5);
        assert_eq!(hierarchy.domain_size(), 3);
        assert_eq!(hierarchy.generalise("81925", 0), Some("81925"));
        assert_eq!(hierarchy.generalise("81925", 2), Some("819**"));
        assert_eq!(hierarchy.generalise("81925", 4), Some("*"));
    }

    #[test]
    fn csv_unknown_value_is_absent() {
        let hierarchy = Hierarchy::from_csv_str(ZIP).unwrap();
        assert!(!hierarchy.contains("81675"));
        assert_eq!(hierarchy.generalise("81675", 1), None);
    }

    #[test]
    fn csv_crlf_and_blank_lines() {
        let hierarchy = Hierarchy::from_csv_str("a;*\r\n\r\nb;*\r\n").unwrap();
        assert_eq!(hierarchy.domain_size(), 2);
    }

    #[test]
    fn ragged_row_is_rejected() {
        let error = Hierarchy::from_csv_str("a;x;*\nb;*\n").unwrap_err();
        assert_eq!(
            error,
            HierarchyError::RaggedRow {
                row: 2,
                found: 2,
                expected: 3
            }
        );
    }

    #[test]
    fn duplicate_value_is_rejected() {
        let error = Hierarchy::from_csv_str("a;*\na;*\n").unwrap_err();
        assert!(matches!(error, HierarchyError::DuplicateValue { .. }));
    }

    #[test]
    fn two_parents_are_rejected() {
        let error = Hierarchy::from_csv_str("a;x;p;*\nb;x;q;*\n").unwrap_err();
        assert_eq!(
            error,
            HierarchyError::NotATree {
                level: 1,
                value: "x".to_owned(),
                first_parent: "p".to_owned(),
                second_parent: "q".to_owned(),
            }
        );
    }

    #[test]
    fn two_roots_are_rejected() {
        let error = Hierarchy::from_csv_str("a;*\nb;+\n").unwrap_err();
        assert!(matches!(error, HierarchyError::NoSingleRoot { .. }));
    }

    #[test]
    fn empty_level_is_rejected() {
        let error = Hierarchy::from_csv_str("a;;*\n").unwrap_err();
        assert_eq!(error, HierarchyError::EmptyValue { row: 1, level: 1 });
    }

    #[test]
    fn level_names_must_match_height() {
        let hierarchy = Hierarchy::from_csv_str("a;*\n").unwrap();
        assert_eq!(hierarchy.level_name(1), Some("level 1"));
        let error = hierarchy.clone().with_level_names(["value"]).unwrap_err();
        assert_eq!(
            error,
            HierarchyError::LevelNameCount {
                found: 1,
                expected: 2
            }
        );
        let named = hierarchy.with_level_names(["value", "*"]).unwrap();
        assert_eq!(named.level_name(0), Some("value"));
    }
}
