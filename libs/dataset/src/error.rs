use thiserror::Error;

/// Errors from building, reading or writing a [`crate::Table`].
#[derive(Debug, Error)]
pub enum DatasetError {
    #[error("column `{column}` has {found} values but the table has {expected} rows")]
    Length {
        column: String,
        expected: usize,
        found: usize,
    },
    #[error("column name `{0}` appears more than once; give each column a unique name")]
    DuplicateColumn(String),
    #[error("column `{column}` row {row}: `{value}` is not a valid {kind}")]
    InvalidValue {
        column: String,
        row: usize,
        value: String,
        kind: &'static str,
    },
    #[error("column `{column}` has Arrow type {data_type}, which this reader does not support")]
    UnsupportedType { column: String, data_type: String },
    #[error("Parquet failed: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    #[error("Arrow failed: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("CSV writing failed: {0}")]
    Csv(#[from] csv::Error),
    #[error("I/O failed: {0}")]
    Io(#[from] std::io::Error),
}
