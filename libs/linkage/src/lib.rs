//! The linkage engine: reads registry extracts, validates identity numbers,
//! selects the cohort, links the registries on the identity number and
//! replaces it with a per-project pseudonym. Pure logic, no network I/O.
//!
//! Module map:
//! - [`link()`] in `link`: one run, from registry folder to table and report.
//! - `request`: [`LinkageRequest`] and [`LinkageOutput`].
//! - `report`: [`LinkageReport`], which accounts for every row read.
//! - `keyed_hash`: [`person_hash`] and [`pseudonym`].
//! - `spine`: the population register keyed by identity number, with
//!   former D-numbers.
//! - `scan`: linking the rows of one registry file to the spine.
//! - `registries`: per-registry file layouts and the values they give.
//! - `table`: the output table in catalogue column order.
//! - `exclusion`: consent exclusion lists and their digest.
//! - [`columnar`]: descriptor-driven linkage of CSV and Parquet extracts at
//!   national scale, behind `hapctl link`.
//! - `csv_source`, `identifier`, `values`, `fast_hash`: reading rows,
//!   validating identity numbers, parsing values and hashing keys.

pub mod columnar;
mod csv_source;
mod error;
mod exclusion;
mod fast_hash;
mod identifier;
mod keyed_hash;
mod link;
mod registries;
mod report;
mod request;
mod scan;
mod spine;
mod table;
mod values;

pub use error::LinkageError;
pub use keyed_hash::{person_hash, project_key, pseudonym};
pub use link::link;
pub use report::{
    ExclusionSummary, FileReport, InvalidIdentifierCounts, InvalidReason, LinkageReport,
    SpineSummary,
};
pub use request::{LinkageOutput, LinkageRequest};
pub use table::PSEUDONYM_COLUMN;
