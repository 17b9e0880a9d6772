//! Errors of the generator.

use std::io;
use std::path::PathBuf;

use crate::options::{MAX_DIRTY_SHARE, MAX_PERSONS};
use crate::person::Sex;

/// Why [`crate::generate`] failed. No variant contains an identity number.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("invalid number of persons {persons}: expected 1 to {MAX_PERSONS}")]
    InvalidPersons { persons: usize },

    #[error("invalid dirty share {dirty_share}: expected a number from 0.0 to {MAX_DIRTY_SHARE}")]
    InvalidDirtyShare { dirty_share: f64 },

    #[error(
        "no free identity number left for a {sex} born on {birth_date}; \
         generate fewer persons"
    )]
    NumberSpaceExhausted {
        birth_date: chrono::NaiveDate,
        sex: Sex,
    },

    #[error(
        "failed to create the output folder {path}: {source}; check that its parent exists and is writable"
    )]
    CreateDir { path: PathBuf, source: io::Error },

    #[error("failed to write {path}: {source}; check free disk space and write permission")]
    Write { path: PathBuf, source: io::Error },

    #[error("failed to serialize the synth report: {0}")]
    Report(#[from] serde_json::Error),
}
