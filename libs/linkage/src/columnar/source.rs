//! Reading extracts as Arrow batches, in parts that workers read in
//! parallel.
//!
//! A Parquet file splits into parts of whole row groups, about
//! [`ROWS_PER_PART`] rows each; a CSV file is one part. The parts depend on
//! the file alone, never on the number of threads, so the output of a run
//! is the same on every machine.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, StringBuilder};
use arrow::compute::{CastOptions, cast_with_options};
use arrow::datatypes::DataType;
use hap_contracts::criteria::VariableType;
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::ParquetMetaData;

use crate::columnar::descriptor::{Encoding, Format, SourceFile};
use crate::columnar::error::RunError;
use crate::columnar::guard::guarded;

/// Rows per part of a Parquet file, the unit of parallel work and of output files.
pub(crate) const ROWS_PER_PART: usize = 2 * 1024 * 1024;
/// Rows per Arrow batch.
const BATCH_ROWS: usize = 64 * 1024;
/// UTF-8 byte order mark, which spreadsheet exports put before the header.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";
/// The maximum length of a CSV row, in bytes of its fields. Registry rows
/// are a few hundred bytes. A longer row nearly always comes from a quote
/// that is never closed, which makes the reader take the rest of the file
/// as one field.
pub(crate) const MAX_ROW_BYTES: usize = 65_536;

/// The way a requested column is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColumnKind {
    /// An identity number: always text, whatever the file stores.
    Identifier,
    Typed(VariableType),
}

/// A column to read, by header or field name.
#[derive(Clone, Debug)]
pub(crate) struct ColumnRequest {
    pub(crate) name: String,
    pub(crate) kind: ColumnKind,
}

/// One batch: the requested columns in request order, identifiers as
/// `Utf8`, variables as `Utf8`, `Int64` or `Date32`.
pub(crate) struct Batch {
    pub(crate) columns: Vec<ArrayRef>,
    /// Per requested column, values present in the file that did not convert
    /// to the column's type and became missing.
    pub(crate) invalid: Vec<u64>,
    pub(crate) rows: usize,
}

/// An extract opened for reading.
pub(crate) struct Extract {
    file: SourceFile,
    /// Row groups of each part; one empty entry for a CSV file.
    parts: Vec<Vec<usize>>,
}

fn read_error(path: &Path, error: impl std::fmt::Display) -> RunError {
    RunError::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    }
}

fn open_file(path: &Path) -> Result<File, RunError> {
    File::open(path).map_err(|source| RunError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Checks that every column chunk the footer describes lies inside the
/// file. The Parquet reader panics on a chunk with a negative offset or
/// length, and a damaged file must give an error instead.
fn check_column_chunks(
    path: &Path,
    metadata: &ParquetMetaData,
    length: u64,
) -> Result<(), RunError> {
    for (group_index, group) in metadata.row_groups().iter().enumerate() {
        for (column_index, column) in group.columns().iter().enumerate() {
            let start = column
                .dictionary_page_offset()
                .unwrap_or_else(|| column.data_page_offset());
            let size = column.compressed_size();
            let inside = u64::try_from(start)
                .ok()
                .zip(u64::try_from(size).ok())
                .and_then(|(start, size)| start.checked_add(size))
                .is_some_and(|end| end <= length);
            if !inside {
                return Err(RunError::Read {
                    path: path.to_path_buf(),
                    message: format!(
                        "row group {group_index} column {column_index} lies outside the file \
                         (offset {start}, {size} bytes, file {length} bytes); the file is \
                         damaged, so export the extract again"
                    ),
                });
            }
        }
    }
    Ok(())
}

impl Extract {
    pub(crate) fn open(file: &SourceFile) -> Result<Self, RunError> {
        let parts = match file.format {
            Format::Csv => {
                open_file(&file.path)?;
                vec![Vec::new()]
            }
            Format::Parquet => {
                let opened = open_file(&file.path)?;
                let length = opened
                    .metadata()
                    .map_err(|source| RunError::Io {
                        path: file.path.clone(),
                        source,
                    })?
                    .len();
                let builder = guarded(&file.path, || {
                    ParquetRecordBatchReaderBuilder::try_new(opened)
                })?;
                check_column_chunks(&file.path, builder.metadata(), length)?;
                let mut parts: Vec<Vec<usize>> = vec![Vec::new()];
                let mut rows_in_part = 0_usize;
                for (index, group) in builder.metadata().row_groups().iter().enumerate() {
                    if rows_in_part >= ROWS_PER_PART {
                        parts.push(Vec::new());
                        rows_in_part = 0;
                    }
                    rows_in_part += usize::try_from(group.num_rows()).unwrap_or(0);
                    if let Some(last) = parts.last_mut() {
                        last.push(index);
                    }
                }
                parts
            }
        };
        Ok(Self {
            file: file.clone(),
            parts,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.file.path
    }

    pub(crate) fn part_count(&self) -> usize {
        self.parts.len()
    }

    /// Reads part `part` and passes each batch to `each`.
    pub(crate) fn read(
        &self,
        part: usize,
        columns: &[ColumnRequest],
        each: &mut dyn FnMut(Batch) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        match self.file.format {
            Format::Parquet => self.read_parquet(part, columns, each),
            Format::Csv => self.read_csv(columns, each),
        }
    }

    fn read_parquet(
        &self,
        part: usize,
        columns: &[ColumnRequest],
        each: &mut dyn FnMut(Batch) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        let path = &self.file.path;
        let opened = open_file(path)?;
        let builder = guarded(path, || ParquetRecordBatchReaderBuilder::try_new(opened))?;
        let schema = builder.schema().clone();
        let mut roots = Vec::with_capacity(columns.len());
        for column in columns {
            let index = schema
                .index_of(&column.name)
                .map_err(|_| RunError::MissingColumn {
                    path: path.clone(),
                    column: column.name.clone(),
                    found: schema
                        .fields()
                        .iter()
                        .map(|field| field.name().as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            roots.push(index);
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
        let row_groups = self.parts.get(part).cloned().unwrap_or_default();
        let mut reader = guarded(path, || {
            builder
                .with_row_groups(row_groups)
                .with_projection(mask)
                .with_batch_size(BATCH_ROWS)
                .build()
        })?;
        while let Some(batch) = guarded(path, || reader.next().transpose())? {
            let mut arrays = Vec::with_capacity(columns.len());
            let mut invalid = Vec::with_capacity(columns.len());
            for column in columns {
                let array = batch.column_by_name(&column.name).cloned().ok_or_else(|| {
                    read_error(path, format!("column `{}` vanished", column.name))
                })?;
                let (array, count) = conform(array, column.kind, path)?;
                arrays.push(array);
                invalid.push(count);
            }
            each(Batch {
                columns: arrays,
                invalid,
                rows: batch.num_rows(),
            })?;
        }
        Ok(())
    }

    fn read_csv(
        &self,
        columns: &[ColumnRequest],
        each: &mut dyn FnMut(Batch) -> Result<(), RunError>,
    ) -> Result<(), RunError> {
        let path = &self.file.path;
        let delimiter = match self.file.delimiter {
            Some(';') => b';',
            _ => b',',
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .flexible(true)
            .from_reader(open_file(path)?);
        let header = reader
            .byte_headers()
            .map_err(|error| read_error(path, error))?
            .clone();
        let encoding = self.file.encoding;
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(index, name)| {
                let name = match name.strip_prefix(BYTE_ORDER_MARK) {
                    Some(stripped) if index == 0 => stripped,
                    _ => name,
                };
                decode(name, encoding)
            })
            .collect();
        let positions = columns
            .iter()
            .map(|column| {
                names
                    .iter()
                    .position(|name| name.trim() == column.name)
                    .ok_or_else(|| RunError::MissingColumn {
                        path: path.clone(),
                        column: column.name.clone(),
                        found: names.join(", "),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let mut record = csv::ByteRecord::new();
        let mut builders: Vec<StringBuilder> =
            columns.iter().map(|_| StringBuilder::new()).collect();
        let mut rows = 0;
        loop {
            let more = reader
                .read_byte_record(&mut record)
                .map_err(|error| read_error(path, error))?;
            if more && record.as_slice().len() > MAX_ROW_BYTES {
                let line = record.position().map_or(0, csv::Position::line);
                return Err(read_error(
                    path,
                    format!(
                        "the row starting at line {line} has {} bytes of fields, more than the \
                         limit of {MAX_ROW_BYTES}; check the row for a quote that is never closed",
                        record.as_slice().len()
                    ),
                ));
            }
            if more {
                for (builder, &position) in builders.iter_mut().zip(&positions) {
                    match record.get(position).map(<[u8]>::trim_ascii) {
                        None | Some(b"") => builder.append_null(),
                        Some(field) => builder.append_value(decode(field, encoding)),
                    }
                }
                rows += 1;
            }
            if rows == BATCH_ROWS || (!more && rows > 0) {
                let mut arrays = Vec::with_capacity(columns.len());
                let mut invalid = Vec::with_capacity(columns.len());
                for (builder, column) in builders.iter_mut().zip(columns) {
                    let (array, count) = conform(Arc::new(builder.finish()), column.kind, path)?;
                    arrays.push(array);
                    invalid.push(count);
                }
                each(Batch {
                    columns: arrays,
                    invalid,
                    rows,
                })?;
                rows = 0;
            }
            if !more {
                return Ok(());
            }
        }
    }
}

/// Decodes a CSV field. Invalid UTF-8 becomes U+FFFD, which no identity
/// number or date contains, so such a field is reported as invalid.
fn decode(field: &[u8], encoding: Encoding) -> String {
    match encoding {
        Encoding::Utf8 => String::from_utf8_lossy(field).into_owned(),
        Encoding::Latin1 => field.iter().map(|&byte| char::from(byte)).collect(),
    }
}

/// Converts `array` to the type of `kind` and counts the values that did
/// not convert. Identifiers stored as integers become their decimal text,
/// so a lost leading zero shows as a 10-digit number.
fn conform(array: ArrayRef, kind: ColumnKind, path: &Path) -> Result<(ArrayRef, u64), RunError> {
    let target = match kind {
        ColumnKind::Identifier | ColumnKind::Typed(VariableType::Text) => DataType::Utf8,
        ColumnKind::Typed(VariableType::Integer) => DataType::Int64,
        ColumnKind::Typed(VariableType::Date) => DataType::Date32,
    };
    if *array.data_type() == target {
        return Ok((array, 0));
    }
    let nulls_before = array.null_count();
    let options = CastOptions {
        safe: true,
        ..CastOptions::default()
    };
    let converted =
        cast_with_options(&array, &target, &options).map_err(|error| read_error(path, error))?;
    let invalid = converted.null_count().saturating_sub(nulls_before) as u64;
    Ok((converted, invalid))
}
