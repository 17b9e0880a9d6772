//! Streaming rows of one registry CSV file.
//!
//! Rows are read into one reused `ByteRecord`, so reading allocates nothing
//! per row. The source finds the documented columns by header name, flags
//! rows with the wrong field count and detects exact duplicates.

use std::collections::HashSet;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use csv::ByteRecord;
use hap_contracts::criteria::Registry;

use crate::error::LinkageError;
use crate::fast_hash::{IntegerHashBuilder, row_fingerprint};

/// Read buffer size. Registry files are read front to back once, so a
/// large buffer means fewer system calls.
const BUFFER_BYTES: usize = 1 << 20;

/// UTF-8 byte order mark, which spreadsheet exports put before the header.
const BYTE_ORDER_MARK: &[u8] = b"\xEF\xBB\xBF";

/// Relation of a row read from the file to the rows before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowKind {
    /// The first occurrence of a well-formed row.
    Distinct,
    /// Equal field by field to an earlier row.
    Duplicate,
    /// Its field count differs from the header row's.
    Malformed,
}

/// A registry CSV file opened for reading.
pub(crate) struct CsvSource {
    path: PathBuf,
    columns: &'static [&'static str],
    reader: csv::Reader<File>,
    /// Position in the record of each entry of `columns`.
    positions: Vec<usize>,
    header_len: usize,
    record: ByteRecord,
    /// Fingerprints of the rows read so far, for exact-duplicate detection.
    // NOTE: this set takes 20 to 40 bytes per distinct row (16-byte slot,
    // control byte, load factor up to 7/8, power-of-two capacity), so a file
    // of 300 million rows needs 6 to 12 GB. Split larger extracts by year.
    seen: HashSet<u128, IntegerHashBuilder>,
}

impl CsvSource {
    /// Opens `registry`'s file in `dir` and checks that its header row has
    /// every name in `columns`. Extra columns are ignored.
    pub(crate) fn open(
        dir: &Path,
        registry: Registry,
        columns: &'static [&'static str],
    ) -> Result<Self, LinkageError> {
        let path = dir.join(registry.file_name());
        let file = match File::open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                return Err(LinkageError::MissingFile { path });
            }
            Err(error) => {
                return Err(LinkageError::Read {
                    path,
                    line: 0,
                    source: error.into(),
                });
            }
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(file);
        let header = match reader.byte_headers() {
            Ok(header) => header.clone(),
            Err(source) => {
                return Err(LinkageError::Read {
                    path,
                    line: 1,
                    source,
                });
            }
        };
        let positions = column_positions(&header, columns, &path)?;
        Ok(Self {
            path,
            columns,
            reader,
            positions,
            header_len: header.len(),
            record: ByteRecord::new(),
            seen: HashSet::with_hasher(IntegerHashBuilder),
        })
    }

    /// Reads the next row, or returns `None` at the end of the file.
    pub(crate) fn next_row(&mut self) -> Result<Option<RowKind>, LinkageError> {
        match self.reader.read_byte_record(&mut self.record) {
            Ok(false) => return Ok(None),
            Ok(true) => {}
            Err(source) => {
                return Err(LinkageError::Read {
                    path: self.path.clone(),
                    line: self.reader.position().line(),
                    source,
                });
            }
        }
        if !self.seen.insert(row_fingerprint(&self.record)) {
            return Ok(Some(RowKind::Duplicate));
        }
        if self.record.len() != self.header_len {
            return Ok(Some(RowKind::Malformed));
        }
        Ok(Some(RowKind::Distinct))
    }

    /// Returns the row last read by [`CsvSource::next_row`].
    pub(crate) fn row(&self) -> Row<'_> {
        Row {
            record: &self.record,
            positions: &self.positions,
            columns: self.columns,
        }
    }
}

/// Finds each of `columns` in the header row.
fn column_positions(
    header: &ByteRecord,
    columns: &'static [&'static str],
    path: &Path,
) -> Result<Vec<usize>, LinkageError> {
    let names: Vec<&[u8]> = header
        .iter()
        .enumerate()
        .map(|(index, name)| match name.strip_prefix(BYTE_ORDER_MARK) {
            Some(stripped) if index == 0 => stripped,
            _ => name,
        })
        .collect();
    columns
        .iter()
        .map(|column| {
            names
                .iter()
                .position(|name| *name == column.as_bytes())
                .ok_or_else(|| LinkageError::MissingColumn {
                    path: path.to_path_buf(),
                    column,
                    expected: columns.join(","),
                })
        })
        .collect()
}

/// One row of the file, with fields addressed by their index in the
/// source's column list.
pub(crate) struct Row<'a> {
    record: &'a ByteRecord,
    positions: &'a [usize],
    columns: &'static [&'static str],
}

impl<'a> Row<'a> {
    /// Returns the raw bytes of column `column`.
    pub(crate) fn field(&self, column: usize) -> &'a [u8] {
        self.positions
            .get(column)
            .and_then(|position| self.record.get(*position))
            .unwrap_or_default()
    }

    /// Returns the header name of column `column`.
    pub(crate) fn column_name(&self, column: usize) -> &'static str {
        self.columns.get(column).copied().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const COLUMNS: &[&str] = &["person_id", "icd10"];

    fn source(contents: &str) -> (tempfile::TempDir, Result<CsvSource, LinkageError>) {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("cancer.csv"), contents).unwrap();
        let source = CsvSource::open(dir.path(), Registry::Cancer, COLUMNS);
        (dir, source)
    }

    fn kinds(source: &mut CsvSource) -> Vec<RowKind> {
        let mut kinds = Vec::new();
        while let Some(kind) = source.next_row().unwrap() {
            kinds.push(kind);
        }
        kinds
    }

    #[test]
    fn columns_found_by_name() {
        let (_dir, source) = source("extra,icd10,person_id\nx,C18.7,123\n");
        let mut source = source.unwrap();
        assert_eq!(source.next_row().unwrap(), Some(RowKind::Distinct));
        let row = source.row();
        assert_eq!(row.field(0), b"123");
        assert_eq!(row.field(1), b"C18.7");
        assert_eq!(row.column_name(1), "icd10");
    }

    #[test]
    fn byte_order_mark_ignored() {
        let (_dir, source) = source("\u{feff}person_id,icd10\n1,C18\n");
        let mut source = source.unwrap();
        assert_eq!(source.next_row().unwrap(), Some(RowKind::Distinct));
        assert_eq!(source.row().field(0), b"1");
    }

    #[test]
    fn missing_column_named_in_error() {
        let (_dir, source) = source("person_id,code\n1,C18\n");
        let error = source.err().unwrap();
        assert!(matches!(
            error,
            LinkageError::MissingColumn {
                column: "icd10",
                ..
            }
        ));
        let message = error.to_string();
        assert!(message.contains("`icd10`"), "{message}");
        assert!(message.contains("person_id,icd10"), "{message}");
    }

    #[test]
    fn missing_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let error = CsvSource::open(dir.path(), Registry::Quality, COLUMNS)
            .err()
            .unwrap();
        assert!(matches!(error, LinkageError::MissingFile { .. }));
        assert!(error.to_string().contains("quality.csv"));
    }

    #[test]
    fn rows_classified() {
        let (_dir, source) = source(
            "person_id,icd10\n1,C18\n1,C18\n\"1\",C18\n1,C19\n1,C18,extra\n1\n1,C18,extra\n",
        );
        let mut source = source.unwrap();
        assert_eq!(
            kinds(&mut source),
            [
                RowKind::Distinct,
                RowKind::Duplicate,
                RowKind::Duplicate,
                RowKind::Distinct,
                RowKind::Malformed,
                RowKind::Malformed,
                RowKind::Duplicate,
            ]
        );
    }

    #[test]
    fn header_only_file_has_no_rows() {
        let (_dir, source) = source("person_id,icd10\n");
        assert_eq!(kinds(&mut source.unwrap()), []);
    }
}
