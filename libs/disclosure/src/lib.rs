//! Disclosure control for HAP releases.
//!
//! The anonymisation service runs a linked, pseudonymous table through this
//! crate before anything leaves the platform, so that no person can be
//! identified directly or through a small population. Microdata are
//! anonymised by globally optimal full-domain generalisation, the method of
//! the ARX Data Anonymization Tool. Aggregated counts are protected by cell
//! suppression in frequency tables.
//!
//! Module map:
//!
//! - `dataset`: [`Dataset`], the table of records; a cell is `None` when
//!   missing.
//! - `hierarchy`: [`Hierarchy`], read from ARX-format CSV or built for
//!   numeric bands, dates, code prefixes (ICD-10) and Norwegian municipality
//!   numbers.
//! - `settings`: [`Settings`], [`QuasiIdentifier`], [`LDiversity`],
//!   [`Metric`].
//! - `release`: [`anonymize`] and its [`Release`].
//! - `report`: [`Report`] and its parts.
//! - `verify`: [`verify_release`] and its parts [`verify_k`],
//!   [`verify_distinct_l`], [`verify_entropy_l`] and [`verify_t_closeness`],
//!   independent checks of a release on its strings.
//! - `table`: [`FrequencyTable`] of distinct persons with primary and
//!   secondary cell suppression.
//! - `error`: [`DisclosureError`] and [`HierarchyError`].
//! - Internal: `validation` (settings checks), `encoding` (integer ids per
//!   column and level), `grouping` (distinct tuples and the groups of one
//!   node), `lattice`, `evaluation` (privacy check of one node), `metric`, `search` (pruned parallel search), `key_hash`,
//!   `masking` (identity numbers in error messages).
//!
//! Semantics, which the tests pin down:
//!
//! - A missing value (`None`) is a category of its own. It equals only
//!   another missing value, is never looked up in a hierarchy, stays missing
//!   at every level, and is never a wildcard: a record with a missing county
//!   does not group with `Agder` or with `*`. A missing sensitive value
//!   counts as one distinct value for l-diversity and as a category of its
//!   own for t-closeness, which then uses the equal distance.
//! - t-closeness compares each released group with the distribution over
//!   all input records, suppressed ones included. The distance is the
//!   ordered earth mover's distance for a column whose values are all
//!   present and numeric, and the equal distance otherwise.
//! - Suppressed records are removed from the release. They do not form a
//!   group, and the report's k, l and risk figures describe only released
//!   records.
//! - A value absent from its hierarchy is an error naming the column and the
//!   value; nothing is released.

mod dataset;
mod encoding;
mod error;
mod evaluation;
mod grouping;
mod hierarchy;
mod key_hash;
mod lattice;
mod masking;
mod metric;
mod release;
mod report;
mod search;
mod settings;
mod table;
mod validation;
mod verify;

pub use dataset::Dataset;
pub use error::{DisclosureError, HierarchyError};
pub use hierarchy::Hierarchy;
pub use release::{Release, anonymize};
pub use report::{
    AttributeLoss, ChosenLevel, DiversityReached, GroupSizeCount, InformationLoss, JournalistRisk,
    ProsecutorRisk, Report, SearchStatistics,
};
pub use settings::{LDiversity, Metric, QuasiIdentifier, Settings, TDistance};
pub use table::{
    Cell, FrequencyTable, Label, MinCellCount, ProtectedTable, SuppressionReason, TableError,
    TableViolation,
};
pub use verify::{
    Violation, verify_distinct_l, verify_entropy_l, verify_k, verify_release, verify_t_closeness,
};
