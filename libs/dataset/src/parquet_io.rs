use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, Date32Array, Int64Array, StringArray};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::record_batch::RecordBatch;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::table::parse_date;
use crate::{Column, ColumnKind, DatasetError, Table};

/// Rows per Parquet row group; small enough to bound reader memory.
const ROW_GROUP_SIZE: usize = 128 * 1024;

/// Writes the table as one Parquet file with zstd compression.
pub fn write_parquet(table: &Table, out: impl Write + Send) -> Result<(), DatasetError> {
    let fields: Vec<Field> = table
        .columns()
        .iter()
        .map(|column| Field::new(&column.name, arrow_type(column.kind), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays = table
        .columns()
        .iter()
        .map(to_array)
        .collect::<Result<Vec<_>, _>>()?;
    let batch = RecordBatch::try_new(schema.clone(), arrays)?;

    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_max_row_group_row_count(Some(ROW_GROUP_SIZE))
        .build();
    let mut writer = ArrowWriter::try_new(out, schema, Some(properties))?;
    writer.write(&batch)?;
    writer.close()?;
    Ok(())
}

/// Reads a Parquet file of Utf8, Int64 and Date32 columns into a table.
pub fn read_parquet(path: &Path) -> Result<Table, DatasetError> {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path)?)?;
    let schema = builder.schema().clone();
    let mut columns: Vec<Column> = schema
        .fields()
        .iter()
        .map(|field| {
            let kind = match field.data_type() {
                DataType::Utf8 => ColumnKind::Text,
                DataType::Int64 => ColumnKind::Integer,
                DataType::Date32 => ColumnKind::Date,
                other => {
                    return Err(DatasetError::UnsupportedType {
                        column: field.name().clone(),
                        data_type: other.to_string(),
                    });
                }
            };
            Ok(Column::new(field.name().clone(), kind, Vec::new()))
        })
        .collect::<Result<_, _>>()?;

    for batch in builder.build()? {
        let batch = batch?;
        for (column, array) in columns.iter_mut().zip(batch.columns()) {
            append_values(column, array.as_ref())?;
        }
    }
    Table::new(columns)
}

fn arrow_type(kind: ColumnKind) -> DataType {
    match kind {
        ColumnKind::Text => DataType::Utf8,
        ColumnKind::Integer => DataType::Int64,
        ColumnKind::Date => DataType::Date32,
    }
}

fn to_array(column: &Column) -> Result<ArrayRef, DatasetError> {
    let invalid = |row: usize, value: &str| DatasetError::InvalidValue {
        column: column.name.clone(),
        row,
        value: value.to_owned(),
        kind: column.kind.name(),
    };
    let array: ArrayRef = match column.kind {
        ColumnKind::Text => Arc::new(StringArray::from_iter(column.values.iter())),
        ColumnKind::Integer => {
            let values = column
                .values
                .iter()
                .enumerate()
                .map(|(row, value)| match value {
                    None => Ok(None),
                    Some(text) => text
                        .parse::<i64>()
                        .map(Some)
                        .map_err(|_| invalid(row, text)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(Int64Array::from(values))
        }
        ColumnKind::Date => {
            let values = column
                .values
                .iter()
                .enumerate()
                .map(|(row, value)| match value {
                    None => Ok(None),
                    Some(text) => parse_date(text).map(Some).ok_or_else(|| invalid(row, text)),
                })
                .collect::<Result<Vec<_>, _>>()?;
            Arc::new(Date32Array::from(values))
        }
    };
    Ok(array)
}

fn append_values(column: &mut Column, array: &dyn Array) -> Result<(), DatasetError> {
    let unsupported = || DatasetError::UnsupportedType {
        column: column.name.clone(),
        data_type: array.data_type().to_string(),
    };
    match column.kind {
        ColumnKind::Text => {
            let strings = array
                .as_any()
                .downcast_ref::<StringArray>()
                .ok_or_else(unsupported)?;
            column
                .values
                .extend(strings.iter().map(|value| value.map(str::to_owned)));
        }
        ColumnKind::Integer => {
            let integers = array
                .as_any()
                .downcast_ref::<Int64Array>()
                .ok_or_else(unsupported)?;
            column
                .values
                .extend(integers.iter().map(|value| value.map(|v| v.to_string())));
        }
        ColumnKind::Date => {
            let dates = array
                .as_any()
                .downcast_ref::<Date32Array>()
                .ok_or_else(unsupported)?;
            for index in 0..dates.len() {
                let value = if dates.is_null(index) {
                    None
                } else {
                    dates
                        .value_as_date(index)
                        .map(|date| date.format("%Y-%m-%d").to_string())
                };
                column.values.push(value);
            }
        }
    }
    Ok(())
}
