//! Errors raised while building, verifying or encrypting a delivery package.

use std::path::PathBuf;

/// A package that cannot be built, verified or encrypted.
///
/// Messages name files, columns and codebook entries but never print table values.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("invalid package input: {field} {reason}")]
    InvalidInput { field: &'static str, reason: String },

    #[error(
        "column `{column}` has no codebook entry; add a VariableDoc with this name to the codebook"
    )]
    UndocumentedColumn { column: String },

    #[error("codebook entry `{name}` matches no column of the table; remove it or fix its name")]
    UnknownVariable { name: String },

    #[error("codebook entry `{name}` appears more than once; keep one entry per column")]
    DuplicateVariable { name: String },

    #[error(
        "codebook entry `{name}` has type {codebook}, but the table column is {table}; \
         make the codebook match the released table"
    )]
    KindMismatch {
        name: String,
        codebook: &'static str,
        table: &'static str,
    },

    #[error("invalid report file name `{name}`: {reason}")]
    InvalidReportName { name: String, reason: &'static str },

    #[error("writing the {file} table failed: {source}")]
    Dataset {
        file: &'static str,
        #[source]
        source: hap_dataset::DatasetError,
    },

    #[error("serialising {file} as JSON failed: {source}")]
    Serialise {
        file: String,
        #[source]
        source: serde_json::Error,
    },

    #[error("{operation} {} failed: {source}", path.display())]
    Io {
        operation: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "{} is not a valid package manifest: {source}; rebuild the package",
        path.display()
    )]
    InvalidManifest {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    #[error(
        "the manifest lists `{name}`, which is not a plain file name in the package folder; \
         the manifest was altered, rebuild the package"
    )]
    UnsafeFileName { name: String },

    #[error("`{file}` is listed in the manifest but missing from the package folder")]
    FileMissing { file: String },

    #[error(
        "`{file}` is {found} bytes but the manifest says {expected}; the file was changed or \
         truncated after the package was built"
    )]
    SizeMismatch {
        file: String,
        expected: u64,
        found: u64,
    },

    #[error(
        "`{file}` has SHA-256 {found} but the manifest says {expected}; the file was changed \
         after the package was built"
    )]
    HashMismatch {
        file: String,
        expected: String,
        found: String,
    },

    #[error(
        "no recipients given: pass at least one Crypt4GH public key to encrypt the package for"
    )]
    NoRecipients,

    #[error("encrypting `{file}` failed: {source}")]
    Encrypt {
        file: String,
        #[source]
        source: hap_crypt4gh::Crypt4ghError,
    },
}

impl PackageError {
    pub(crate) fn io(
        operation: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> PackageError {
        PackageError::Io {
            operation,
            path: path.into(),
            source,
        }
    }
}
