//! The error type of the linkage engine.
//!
//! No message here contains an identity number: file contents appear only as
//! file paths, column names and line numbers.

use std::path::PathBuf;

use hap_contracts::criteria::{CriteriaError, Registry, UnknownVariable};

/// Failure of a linkage run. A run either fails as a whole or links every
/// row it can and explains the rest in the report.
#[derive(Debug, thiserror::Error)]
pub enum LinkageError {
    /// The cohort criteria are invalid.
    #[error("invalid cohort criteria: {0}")]
    Criteria(#[from] CriteriaError),

    /// The request names a variable the catalogue does not have.
    #[error("invalid variable request: {0}")]
    Variables(#[from] UnknownVariable),

    /// A key is empty, so every pseudonym or exclusion hash would be guessable.
    #[error("the {which} key is empty; pass the key configured for this {which}")]
    EmptyKey { which: &'static str },

    /// A consent-based registry is read without the list of persons whose
    /// consent covers the project.
    #[error(
        "the {registry} registry is consent-based, but the request gives no list of \
         consented persons for it; pass the permit's consented list, or leave the \
         {registry} registry's variables out of the request"
    )]
    ConsentListMissing { registry: Registry },

    /// A registry file the request needs does not exist.
    #[error("registry file {} not found; check the registry folder or remove the variables of that registry from the request", path.display())]
    MissingFile { path: PathBuf },

    /// A registry file lacks a documented column.
    #[error("registry file {} has no column `{column}` in its header row; expected the columns {expected}", path.display())]
    MissingColumn {
        path: PathBuf,
        column: &'static str,
        expected: String,
    },

    /// Opening or reading a registry file failed.
    #[error("reading registry file {} failed at line {line}: {source}", path.display())]
    Read {
        path: PathBuf,
        line: u64,
        source: csv::Error,
    },

    /// The population register contains more persons than the engine indexes.
    #[error("{} holds more than {max} persons; split the extract", path.display())]
    TooManyPersons { path: PathBuf, max: u32 },

    /// A catalogue variable the engine has no computation for, which means
    /// the catalogue and the engine disagree.
    #[error(
        "variable `{name}` of the {registry} registry is in the catalogue but the linkage engine cannot compute it; update hap-linkage"
    )]
    UnsupportedVariable {
        registry: Registry,
        name: &'static str,
    },

    /// Two cohort persons received the same pseudonym (probability about
    /// n^2 / 2^129 for n persons).
    #[error("two cohort persons received the same pseudonym; rerun with another project key")]
    PseudonymCollision,

    /// The output table could not be built.
    #[error("building the output table failed: {0}")]
    Table(#[from] hap_dataset::DatasetError),
}
