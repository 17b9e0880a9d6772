//! The table being released.

use std::collections::BTreeSet;
use std::io::Read;

use serde::Serialize;

use crate::error::DisclosureError;

/// A table of records with named columns. A cell is `None` when the value is
/// missing; reading CSV turns an empty field into `None`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dataset {
    columns: Vec<String>,
    rows: Vec<Vec<Option<String>>>,
}

impl Dataset {
    /// Builds a data set, checking that column names are unique and that
    /// every row has one cell per column.
    pub fn new(
        columns: Vec<String>,
        rows: Vec<Vec<Option<String>>>,
    ) -> Result<Self, DisclosureError> {
        let mut seen = BTreeSet::new();
        for column in &columns {
            if !seen.insert(column.as_str()) {
                return Err(DisclosureError::DuplicateColumn {
                    column: column.clone(),
                });
            }
        }
        for (index, row) in rows.iter().enumerate() {
            if row.len() != columns.len() {
                return Err(DisclosureError::RowWidth {
                    row: index + 1,
                    found: row.len(),
                    expected: columns.len(),
                });
            }
        }
        Ok(Self { columns, rows })
    }

    /// Reads delimited text with a header row. Empty fields become missing
    /// values. Row numbers in errors count data rows from 1.
    pub fn from_csv_reader<R: Read>(reader: R, delimiter: u8) -> Result<Self, DisclosureError> {
        let mut csv_reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut records = csv_reader.records();
        let header = match records.next() {
            Some(record) => record.map_err(|error| DisclosureError::Csv(error.to_string()))?,
            None => return Err(DisclosureError::MissingHeader),
        };
        let columns: Vec<String> = header.iter().map(str::to_owned).collect();
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|error| DisclosureError::Csv(error.to_string()))?;
            let row = record
                .iter()
                .map(|field| (!field.is_empty()).then(|| field.to_owned()))
                .collect();
            rows.push(row);
        }
        Self::new(columns, rows)
    }

    /// Reads delimited text with a header row; see [`Dataset::from_csv_reader`].
    pub fn from_csv_str(text: &str, delimiter: u8) -> Result<Self, DisclosureError> {
        Self::from_csv_reader(text.as_bytes(), delimiter)
    }

    /// Column names in order.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// Records in order, one cell per column.
    pub fn rows(&self) -> &[Vec<Option<String>>] {
        &self.rows
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Returns whether the data set has no records.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Returns the position of `column`, or an error listing the columns.
    pub fn column_index(&self, column: &str) -> Result<usize, DisclosureError> {
        self.columns
            .iter()
            .position(|name| name == column)
            .ok_or_else(|| DisclosureError::UnknownColumn {
                column: column.to_owned(),
                available: self.columns.join(", "),
            })
    }

    /// Returns the distinct non-missing values of `column`, sorted. This is
    /// the domain to pass to a built-in hierarchy such as
    /// [`crate::Hierarchy::intervals`].
    pub fn distinct_values(&self, column: &str) -> Result<Vec<&str>, DisclosureError> {
        let index = self.column_index(column)?;
        let values: BTreeSet<&str> = self
            .rows
            .iter()
            .filter_map(|row| row[index].as_deref())
            .collect();
        Ok(values.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_empty_field_is_missing() {
        let data = Dataset::from_csv_str("a;b\n1;\n;2\n", b';').unwrap();
        assert_eq!(data.columns(), ["a", "b"]);
        assert_eq!(data.rows()[0], vec![Some("1".to_owned()), None]);
        assert_eq!(data.rows()[1], vec![None, Some("2".to_owned())]);
    }

    #[test]
    fn csv_crlf_line_endings() {
        let data = Dataset::from_csv_str("a;b\r\n1;2\r\n", b';').unwrap();
        assert_eq!(data.rows()[0][1].as_deref(), Some("2"));
    }

    #[test]
    fn short_row_is_rejected() {
        let error = Dataset::from_csv_str("a;b\n1\n", b';').unwrap_err();
        assert_eq!(
            error,
            DisclosureError::RowWidth {
                row: 1,
                found: 1,
                expected: 2
            }
        );
    }

    #[test]
    fn duplicate_column_is_rejected() {
        let error = Dataset::from_csv_str("a;a\n1;2\n", b';').unwrap_err();
        assert_eq!(
            error,
            DisclosureError::DuplicateColumn {
                column: "a".to_owned()
            }
        );
    }

    #[test]
    fn unknown_column_lists_columns() {
        let data = Dataset::from_csv_str("a;b\n1;2\n", b';').unwrap();
        let message = data.column_index("c").unwrap_err().to_string();
        assert!(message.contains("`c`"), "{message}");
        assert!(message.contains("a, b"), "{message}");
    }

    #[test]
    fn distinct_values_skip_missing() {
        let data = Dataset::from_csv_str("a\n2\n\n1\n2\n", b';').unwrap();
        assert_eq!(data.distinct_values("a").unwrap(), vec!["1", "2"]);
    }
}
