//! Streams the rows of one registry file to disk, makes the dirty share of
//! them dirty and counts what it wrote.

use std::fs::File;
use std::io;
use std::path::Path;

use crate::dirt::{Dirt, DirtInjector};
use crate::error::SynthError;
use crate::report::{DirtKind, FileReport, RegistryFile};
use crate::staged_file::StagedFile;

/// Buffer of the CSV writer in bytes.
const BUFFER_CAPACITY: usize = 256 * 1024;

pub(crate) struct RegistryWriter {
    file: RegistryFile,
    csv: csv::Writer<File>,
    staged: StagedFile,
    dirt: Option<DirtInjector>,
    report: FileReport,
}

impl RegistryWriter {
    /// Creates the file and writes its header row. With `dirt`, rows can be
    /// made dirty; the population register is written without.
    pub(crate) fn create(
        folder: &Path,
        file: RegistryFile,
        dirt: Option<DirtInjector>,
    ) -> Result<RegistryWriter, SynthError> {
        let (staged, handle) = StagedFile::create(folder, file.file_name())?;
        let csv = csv::WriterBuilder::new()
            .buffer_capacity(BUFFER_CAPACITY)
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(handle);
        let mut writer = RegistryWriter {
            file,
            csv,
            staged,
            dirt,
            report: FileReport::default(),
        };
        let header = writer.file.columns();
        writer
            .csv
            .write_record(header)
            .map_err(|error| writer.write_error(error.into()))?;
        Ok(writer)
    }

    /// Writes one clean record, after the dirt injector may have made it
    /// dirty. Every identity column of `record` contains a valid 11-digit number.
    pub(crate) fn write(&mut self, mut record: Vec<String>) -> Result<(), SynthError> {
        let identity_columns = self.file.identity_columns();
        let dirt = match self.dirt.as_mut() {
            Some(injector) => injector.apply(&mut record, identity_columns),
            None => None,
        };

        let copies = match dirt {
            Some(Dirt {
                kind: DirtKind::ExactDuplicate,
                ..
            }) => 2,
            _ => 1,
        };
        let changed_column = dirt.and_then(|dirt| dirt.column);
        let refers_to_dnumber = identity_columns
            .iter()
            .filter(|&&column| Some(column) != changed_column)
            .any(|&column| record.get(column).is_some_and(|value| is_dnumber(value)));

        for _ in 0..copies {
            self.csv
                .write_record(&record)
                .map_err(|error| self.write_error(error.into()))?;
            self.report.rows += 1;
            if refers_to_dnumber {
                self.report.dnumber_references += 1;
            }
        }
        if let Some(dirt) = dirt {
            self.report.dirty.add(dirt.kind);
        }
        Ok(())
    }

    /// Flushes the file, renames it to its final name and returns what was
    /// written.
    pub(crate) fn finish(self) -> Result<FileReport, SynthError> {
        let RegistryWriter {
            csv,
            staged,
            report,
            ..
        } = self;
        let handle = match csv.into_inner() {
            Ok(handle) => handle,
            Err(error) => {
                return Err(SynthError::Write {
                    path: staged.final_path().to_path_buf(),
                    source: error.into_error(),
                });
            }
        };
        staged.commit(handle)?;
        Ok(report)
    }

    fn write_error(&self, source: io::Error) -> SynthError {
        SynthError::Write {
            path: self.staged.final_path().to_path_buf(),
            source,
        }
    }
}

/// Returns whether `value` is 11 digits with a D-number's day (41-71).
fn is_dnumber(value: &str) -> bool {
    value.len() == 11 && matches!(value.as_bytes()[0], b'4'..=b'7')
}
