//! The kinds of identity number.

use serde::{Deserialize, Serialize};

use crate::rules::named_enum;

/// Kind of identity number, read from the offsets in its date digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Ordinary birth number (fødselsnummer).
    Fnr,
    /// D-number: day plus 40.
    DNumber,
    /// H-number: month plus 40. A helper number, never linked across registries.
    HNumber,
    /// FH-number: first digit 8 or 9, no date.
    FhNumber,
    /// Synthetic test number of the Norwegian Tax Administration: month plus 80.
    Synthetic,
    /// Test identity of the health network: month plus 65.
    Test,
}

named_enum!(
    Kind, "kind",
    Kind::Fnr => "fnr",
    Kind::DNumber => "dnumber",
    Kind::HNumber => "hnumber",
    Kind::FhNumber => "fhnumber",
    Kind::Synthetic => "synthetic",
    Kind::Test => "test",
);

impl Kind {
    /// Returns whether the production profile rejects this kind.
    pub const fn is_test_only(self) -> bool {
        matches!(self, Kind::Synthetic | Kind::Test)
    }
}
