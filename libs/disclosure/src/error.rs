//! Errors at the crate boundary.
//!
//! Values from the data are echoed so the caller can find the bad cell, but
//! they pass through [`masked`] first so that an identity number never
//! appears in a message.

use thiserror::Error;

use crate::masking::masked;
use crate::verify::Violation;

/// Errors from reading or building a generalisation hierarchy.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum HierarchyError {
    #[error("hierarchy CSV could not be read: {0}")]
    Csv(String),

    #[error("hierarchy has no rows; give one row per level-0 value")]
    Empty,

    #[error(
        "hierarchy row {row} has {found} levels but row 1 has {expected}; \
         every row needs the same number of levels, `*` last"
    )]
    RaggedRow {
        row: usize,
        found: usize,
        expected: usize,
    },

    #[error("hierarchy row {row} has an empty value at level {level}; fill in every level")]
    EmptyValue { row: usize, level: usize },

    #[error(
        "hierarchy lists level-0 value `{}` in rows {first} and {second}; keep one row per value",
        masked(.value)
    )]
    DuplicateValue {
        value: String,
        first: usize,
        second: usize,
    },

    #[error(
        "hierarchy is not a tree: at level {level}, `{}` generalises to both `{}` and `{}`; \
         give each value a single parent",
        masked(.value), masked(.first_parent), masked(.second_parent)
    )]
    NotATree {
        level: usize,
        value: String,
        first_parent: String,
        second_parent: String,
    },

    #[error(
        "hierarchy top level contains `{}` and `{}`; the last level must be one value such as `*`",
        masked(.first), masked(.second)
    )]
    NoSingleRoot { first: String, second: String },

    #[error("invalid {kind} value `{}`: {reason}", masked(.value))]
    InvalidValue {
        kind: &'static str,
        value: String,
        reason: &'static str,
    },

    #[error("invalid band widths {widths:?}: {reason}")]
    InvalidWidths {
        widths: Vec<u64>,
        reason: &'static str,
    },

    #[error("invalid prefix lengths {lengths:?}: {reason}")]
    InvalidPrefixLengths {
        lengths: Vec<usize>,
        reason: &'static str,
    },

    #[error(
        "{found} level names given for a hierarchy of {expected} levels; give one name per level"
    )]
    LevelNameCount { found: usize, expected: usize },
}

/// Errors from [`crate::anonymize`] and from building a [`crate::Dataset`].
#[derive(Debug, Clone, PartialEq, Error)]
pub enum DisclosureError {
    #[error("data set CSV could not be read: {0}")]
    Csv(String),

    #[error("data set has no header row; the first row must name the columns")]
    MissingHeader,

    #[error("column `{column}` appears twice in the header; column names must be unique")]
    DuplicateColumn { column: String },

    #[error("row {row} has {found} cells but the header has {expected} columns")]
    RowWidth {
        row: usize,
        found: usize,
        expected: usize,
    },

    #[error("column `{column}` is not in the data set; its columns are {available}")]
    UnknownColumn { column: String, available: String },

    #[error("data set has no records; there is nothing to anonymise")]
    EmptyDataset,

    #[error("no quasi-identifiers given; name at least one column with its hierarchy")]
    NoQuasiIdentifiers,

    #[error(
        "column `{column}` is given both as {first} and as {second}; give each column one role"
    )]
    ConflictingRoles {
        column: String,
        first: &'static str,
        second: &'static str,
    },

    #[error("k must be at least 1, got {k}")]
    InvalidK { k: usize },

    #[error("l must be at least 1 and finite, got {l}")]
    InvalidL { l: f64 },

    #[error("t must be a distance between 0 and 1, got {t}")]
    InvalidT { t: f64 },

    #[error(
        "l-diversity and t-closeness need at least one sensitive column; name it in `sensitive`"
    )]
    MissingSensitive,

    #[error("suppression limit must be a share between 0 and 1, got {limit}")]
    InvalidSuppressionLimit { limit: f64 },

    #[error(
        "{records} records are more than this crate supports ({}); split the data set",
        u32::MAX
    )]
    TooManyRecords { records: usize },

    #[error(
        "the hierarchy of column `{column}` has {values} values, more than this crate supports \
         ({}); merge level-0 values",
        u32::MAX - 1
    )]
    HierarchyTooLarge { column: String, values: usize },

    #[error(
        "column `{column}`: value `{}` is not in its generalisation hierarchy; \
         add a row for it to the hierarchy or correct the value",
        masked(.value)
    )]
    ValueNotInHierarchy { column: String, value: String },

    #[error(
        "the generalisation lattice has {nodes} nodes, above the limit of {limit}; \
         use fewer quasi-identifiers or shorter hierarchies"
    )]
    LatticeTooLarge { nodes: u128, limit: usize },

    #[error(
        "no generalisation satisfies {model} with at most {max_suppressed} of {records} records \
         suppressed; raise the suppression limit, add hierarchy levels or relax the model"
    )]
    NoSolution {
        model: String,
        max_suppressed: usize,
        records: usize,
    },

    #[error("the release failed its own privacy check, so it was withheld: {0}")]
    VerificationFailed(#[from] Violation),
}
