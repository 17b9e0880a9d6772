//! Errors of a descriptor-driven linkage run.
//!
//! No message contains an identity number: rows are named by file and row
//! number only.

use std::path::PathBuf;

use hap_contracts::criteria::CriterionError;

/// Failure of a run. A run either fails as a whole or accounts for every
/// row in its report.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("reading {} failed: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("invalid descriptor {}: {message}", path.display())]
    Descriptor { path: PathBuf, message: String },

    #[error(transparent)]
    Criterion(#[from] CriterionError),

    #[error("{} has no column `{column}`; found {found}", path.display())]
    MissingColumn {
        path: PathBuf,
        column: String,
        found: String,
    },

    #[error("reading {} failed: {message}", path.display())]
    Read { path: PathBuf, message: String },

    #[error(
        "the identity history {} maps one number to two different numbers (rows {first} and \
         {second}); correct the history so each number has one successor",
        path.display()
    )]
    HistoryFork {
        path: PathBuf,
        first: u64,
        second: u64,
    },

    #[error(
        "the identity history {} contains a cycle through row {row}; a number cannot \
         replace itself, so correct the history",
        path.display()
    )]
    HistoryCycle { path: PathBuf, row: u64 },

    #[error(
        "the identity history {} row {row} maps a number that is still a current number in \
         the spine; correct the history or the spine",
        path.display()
    )]
    HistoryFromCurrent { path: PathBuf, row: u64 },

    #[error("the spine holds more than {max} persons; split the run")]
    TooManyPersons { max: u32 },

    #[error("invalid exclusion or consent lists: {message}")]
    Lists { message: String },

    #[error("two persons received the same pseudonym; rerun with another project key")]
    PseudonymCollision,

    #[error(
        "output folder {} is not empty; give a new or empty folder so no earlier file \
         mixes with this run",
        path.display()
    )]
    OutputNotEmpty { path: PathBuf },

    #[error("writing {} failed: {message}", path.display())]
    Write { path: PathBuf, message: String },

    /// A task failed on a worker, or its result did not fit the run.
    #[error("task `{task}` failed: {message}")]
    Task { task: String, message: String },

    /// The work queue that hands tasks to workers failed.
    #[error("the work queue failed: {message}")]
    Queue { message: String },
}
