use crate::DatasetError;

/// The type of a column, which decides its Parquet type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnKind {
    /// UTF-8 text (Parquet `Utf8`).
    Text,
    /// Signed 64-bit integer written as decimal text (Parquet `Int64`).
    Integer,
    /// Calendar date written as `YYYY-MM-DD` (Parquet `Date32`).
    Date,
}

impl ColumnKind {
    /// Returns the name used in codebooks and error messages.
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Text => "text",
            ColumnKind::Integer => "integer",
            ColumnKind::Date => "date",
        }
    }

    fn accepts(self, value: &str) -> bool {
        match self {
            ColumnKind::Text => true,
            ColumnKind::Integer => value.parse::<i64>().is_ok(),
            ColumnKind::Date => parse_date(value).is_some(),
        }
    }
}

/// Parses `YYYY-MM-DD` into days since 1970-01-01, the Parquet `Date32` unit.
pub(crate) fn parse_date(value: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

/// One named, typed column. `None` is a missing value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
    pub values: Vec<Option<String>>,
}

impl Column {
    /// Creates a column of the given kind.
    pub fn new(name: impl Into<String>, kind: ColumnKind, values: Vec<Option<String>>) -> Self {
        Column {
            name: name.into(),
            kind,
            values,
        }
    }
}

/// Columns of equal length with unique names, each value valid for its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Builds a table, checking lengths, names and every value against its kind.
    pub fn new(columns: Vec<Column>) -> Result<Table, DatasetError> {
        let rows = columns.first().map_or(0, |column| column.values.len());

        for (index, column) in columns.iter().enumerate() {
            if column.values.len() != rows {
                return Err(DatasetError::Length {
                    column: column.name.clone(),
                    expected: rows,
                    found: column.values.len(),
                });
            }
            if columns[..index].iter().any(|c| c.name == column.name) {
                return Err(DatasetError::DuplicateColumn(column.name.clone()));
            }
            for (row, value) in column.values.iter().enumerate() {
                if let Some(value) = value
                    && !column.kind.accepts(value)
                {
                    return Err(DatasetError::InvalidValue {
                        column: column.name.clone(),
                        row,
                        value: value.clone(),
                        kind: column.kind.name(),
                    });
                }
            }
        }

        Ok(Table { columns, rows })
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Returns the column with this name, if there is one.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }

    pub fn num_rows(&self) -> usize {
        self.rows
    }

    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(values: &[&str]) -> Vec<Option<String>> {
        values.iter().map(|v| Some(v.to_string())).collect()
    }

    #[test]
    fn new_rejects_unequal_lengths() {
        let error = Table::new(vec![
            Column::new("a", ColumnKind::Text, text(&["x", "y"])),
            Column::new("b", ColumnKind::Text, text(&["x"])),
        ])
        .unwrap_err();
        assert!(matches!(error, DatasetError::Length { found: 1, .. }));
    }

    #[test]
    fn new_rejects_duplicate_names() {
        let error = Table::new(vec![
            Column::new("a", ColumnKind::Text, text(&["x"])),
            Column::new("a", ColumnKind::Text, text(&["y"])),
        ])
        .unwrap_err();
        assert!(matches!(error, DatasetError::DuplicateColumn(name) if name == "a"));
    }

    #[test]
    fn new_rejects_invalid_date() {
        let error = Table::new(vec![Column::new(
            "d",
            ColumnKind::Date,
            text(&["2020-02-30"]),
        )])
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "column `d` row 0: `2020-02-30` is not a valid date"
        );
    }

    #[test]
    fn new_accepts_missing_values() {
        let table = Table::new(vec![Column::new(
            "n",
            ColumnKind::Integer,
            vec![None, Some("-4".into())],
        )])
        .unwrap();
        assert_eq!(table.num_rows(), 2);
    }
}
