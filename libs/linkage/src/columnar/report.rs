//! The report of a descriptor-driven run: per registry and year, what
//! happened to every row, the overlap between registries and the cohort
//! size. Every count below 5 is written as `"<5"`.

use std::collections::BTreeMap;

use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::columnar::resolve::Unlinked;

/// Smallest count written as a number; smaller counts are written `"<5"`.
pub const SMALLEST_SHOWN: u64 = 5;

/// A count that serialises as `"<5"` below [`SMALLEST_SHOWN`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count(pub u64);

impl Serialize for Count {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.0 < SMALLEST_SHOWN {
            serializer.serialize_str("<5")
        } else {
            serializer.serialize_u64(self.0)
        }
    }
}

/// A cohort size for applicants before they apply: `"<5"` below 5, else
/// the count rounded to the nearest multiple of 5 (halves round up).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeasibilityCount(pub u64);

impl FeasibilityCount {
    /// Returns the published value, or `None` when it is written `"<5"`.
    pub fn rounded(self) -> Option<u64> {
        (self.0 >= SMALLEST_SHOWN).then(|| (self.0 + 2) / 5 * 5)
    }
}

impl Serialize for FeasibilityCount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.rounded() {
            Some(rounded) => serializer.serialize_u64(rounded),
            None => serializer.serialize_str("<5"),
        }
    }
}

/// Counts per [`Unlinked`] reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReasonCounts(pub [u64; Unlinked::ALL.len()]);

impl ReasonCounts {
    pub fn get(&self, reason: Unlinked) -> u64 {
        self.0[reason as usize]
    }

    pub(crate) fn add(&mut self, reason: Unlinked, count: u64) {
        self.0[reason as usize] += count;
    }

    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Rows whose identifier is itself invalid or missing.
    pub fn invalid(&self) -> u64 {
        Unlinked::ALL
            .iter()
            .filter(|reason| reason.is_invalid())
            .map(|reason| self.get(*reason))
            .sum()
    }

    fn merge(&mut self, other: &ReasonCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }
}

impl Serialize for ReasonCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Unlinked::ALL.len()))?;
        for reason in Unlinked::ALL {
            map.serialize_entry(reason.name(), &Count(self.get(reason)))?;
        }
        map.end()
    }
}

/// Row counts of one registry (or one year of it).
///
/// `records` = `linked` + `unlinked`, `valid` = `records` - `invalid`, and
/// `linked` = `delivered` + `excluded` + `without_consent` + the rows of
/// persons outside the cohort.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RowCounts {
    pub records: u64,
    /// Rows linked to a spine person, directly or through the history.
    pub linked: u64,
    /// Linked rows whose number the history re-mapped to a later number.
    pub remapped: u64,
    /// Rows not linked, by reason.
    pub unlinked: ReasonCounts,
    /// Linked rows of cohort persons, written to the output.
    pub delivered: u64,
    /// Linked rows that name a person on the registry's exclusion list, in
    /// this identifier column or, for the first column's counts, in any.
    pub excluded: u64,
    /// Linked rows of persons missing from a consent-based registry's list
    /// of consented persons.
    pub without_consent: u64,
}

impl RowCounts {
    pub fn valid(&self) -> u64 {
        self.records - self.unlinked.invalid()
    }

    pub(crate) fn merge(&mut self, other: &RowCounts) {
        self.records += other.records;
        self.linked += other.linked;
        self.remapped += other.remapped;
        self.unlinked.merge(&other.unlinked);
        self.delivered += other.delivered;
        self.excluded += other.excluded;
        self.without_consent += other.without_consent;
    }
}

impl Serialize for RowCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = serializer.serialize_struct("RowCounts", 10)?;
        fields.serialize_field("records", &Count(self.records))?;
        fields.serialize_field("valid", &Count(self.valid()))?;
        fields.serialize_field("invalid", &Count(self.unlinked.invalid()))?;
        fields.serialize_field("remapped", &Count(self.remapped))?;
        fields.serialize_field("linked", &Count(self.linked))?;
        fields.serialize_field("unlinked", &Count(self.unlinked.total()))?;
        fields.serialize_field("unlinked_by_reason", &self.unlinked)?;
        fields.serialize_field("delivered", &Count(self.delivered))?;
        fields.serialize_field("excluded", &Count(self.excluded))?;
        fields.serialize_field("without_consent", &Count(self.without_consent))?;
        fields.end()
    }
}

/// Counts of the identity history file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HistoryReport {
    pub rows: u64,
    /// Rows where either number is invalid, or both are the same.
    pub invalid: u64,
    /// Former numbers that resolve to a spine person.
    pub remapped_numbers: u64,
    /// Former numbers whose chain ends outside the spine.
    pub unresolved_numbers: u64,
}

/// Counts of the spine file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SpineReport {
    pub records: u64,
    pub persons: u64,
    /// Rows repeating a number already in the spine; the first row is used.
    pub repeated: u64,
    /// Rows whose number is invalid, missing or a helper number.
    pub invalid: ReasonCounts,
    /// Values that did not convert to their column's type and became missing.
    pub invalid_values: u64,
    pub history: Option<HistoryReport>,
}

impl SpineReport {
    pub(crate) fn merge(&mut self, part: &SpineReport) {
        self.records += part.records;
        self.invalid.merge(&part.invalid);
        self.invalid_values += part.invalid_values;
    }
}

/// Counts of a further identifier column, such as the child of a birth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IdentifierReport {
    pub column: String,
    pub total: RowCounts,
}

/// Counts of one registry extract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RegistryReport {
    pub registry: String,
    /// The identifier column that links a row to its person.
    pub identifier: String,
    pub total: RowCounts,
    /// Counts per year of the descriptor's `year` variable; `unknown` for a
    /// missing date or a year outside 1800-2199.
    pub years: BTreeMap<String, RowCounts>,
    pub other_identifiers: Vec<IdentifierReport>,
    /// Values that did not convert to their variable's type, by variable.
    pub invalid_values: BTreeMap<String, Count>,
}

/// Persons linked in both of two registries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Overlap {
    pub registries: [String; 2],
    pub persons: Count,
}

/// The report of one run. It contains counts and names only, never an
/// identity number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunReport {
    pub spine: SpineReport,
    pub registries: Vec<RegistryReport>,
    pub overlap: Vec<Overlap>,
    pub cohort_persons: Count,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_hidden() {
        for (count, json) in [(0, "\"<5\""), (4, "\"<5\""), (5, "5"), (1234, "1234")] {
            assert_eq!(serde_json::to_string(&Count(count)).unwrap(), json);
        }
    }

    #[test]
    fn feasibility_rounds_to_five() {
        for (count, json) in [
            (0, "\"<5\""),
            (4, "\"<5\""),
            (5, "5"),
            (7, "5"),
            (8, "10"),
            (12, "10"),
            (13, "15"),
        ] {
            assert_eq!(
                serde_json::to_string(&FeasibilityCount(count)).unwrap(),
                json,
                "{count}"
            );
        }
    }

    #[test]
    fn row_counts_derive_valid_and_invalid() {
        let mut counts = RowCounts {
            records: 100,
            linked: 80,
            remapped: 6,
            delivered: 70,
            ..RowCounts::default()
        };
        counts.unlinked.add(Unlinked::Checksum, 7);
        counts.unlinked.add(Unlinked::Missing, 3);
        counts.unlinked.add(Unlinked::NotInSpine, 10);
        assert_eq!(counts.valid(), 90);
        let json = serde_json::to_value(counts).unwrap();
        assert_eq!(json["invalid"], 10);
        assert_eq!(json["unlinked"], 20);
        assert_eq!(json["unlinked_by_reason"]["checksum"], 7);
        assert_eq!(json["unlinked_by_reason"]["missing"], "<5");
        assert_eq!(json["unlinked_by_reason"]["not-in-spine"], 10);
        assert_eq!(json["remapped"], 6);
    }
}
