//! The linkage report: what happened to every row of every file read.
//!
//! The report contains counts, registry names and digests only, never an
//! identity number, so it can be logged and delivered with the data.

use std::collections::BTreeMap;

use hap_contracts::criteria::Registry;
use serde::Serialize;

/// Summary of one linkage run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkageReport {
    /// One entry per file read, population register first.
    pub files: Vec<FileReport>,
    /// The population spine built from `population.csv`.
    pub spine: SpineSummary,
    /// Persons in the delivered table.
    pub cohort_size: u64,
    /// One entry per registry the request gave exclusions for.
    pub exclusions: Vec<ExclusionSummary>,
}

/// The persons and numbers the population spine links to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SpineSummary {
    /// Persons in the spine.
    pub persons: u64,
    /// Former D-numbers that link to a person's current number.
    pub former_dnumbers: u64,
    /// Numbers claimed by more than one person (as a current number or as a
    /// former D-number); rows with these numbers are not linked.
    pub ambiguous_numbers: u64,
}

/// The exclusion list, and for a consent-based registry the list of
/// consented persons, applied to one registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExclusionSummary {
    /// The registry the list applies to.
    pub registry: Registry,
    /// Person hashes in the list.
    pub persons_listed: u64,
    /// Spine persons whose rows the list left out of this run.
    pub persons_excluded: u64,
    /// Lowercase hex SHA-256 of the list's 32-byte hashes, sorted and
    /// concatenated, so an auditor can check which list a run applied.
    pub list_sha256: String,
    /// The consented persons of a consent-based registry; null otherwise.
    pub consented: Option<ConsentedSummary>,
}

/// The list of persons with a valid consent that a run applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsentedSummary {
    /// Person hashes in the list.
    pub persons_listed: u64,
    /// Spine persons with rows in the registry who are not in the list, and
    /// whose rows the run therefore left out.
    pub persons_without_consent: u64,
    /// Lowercase hex SHA-256 of the list, as for the exclusion list.
    pub list_sha256: String,
}

/// Reason an identity number was not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidReason {
    /// The field is empty.
    Missing,
    /// Not 11 digits after normalisation.
    Format,
    /// 10 digits, probably a number whose leading zero a spreadsheet dropped.
    LeadingZeroLost,
    /// The check digits do not match.
    Checksum,
    /// The date part is not a calendar date.
    Date,
    /// The individual number gives no valid century for the birth year.
    Century,
    /// A synthetic or test number under the production profile.
    NotAllowedInProfile,
}

/// Rows with an invalid identity number, by reason.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct InvalidIdentifierCounts {
    pub missing: u64,
    pub format: u64,
    pub leading_zero_lost: u64,
    pub checksum: u64,
    pub date: u64,
    pub century: u64,
    pub not_allowed_in_profile: u64,
}

impl InvalidIdentifierCounts {
    /// Rows with an invalid identity number, whatever the reason.
    pub fn total(&self) -> u64 {
        self.missing
            + self.format
            + self.leading_zero_lost
            + self.checksum
            + self.date
            + self.century
            + self.not_allowed_in_profile
    }

    /// Returns the count for one reason.
    pub fn get(&self, reason: InvalidReason) -> u64 {
        match reason {
            InvalidReason::Missing => self.missing,
            InvalidReason::Format => self.format,
            InvalidReason::LeadingZeroLost => self.leading_zero_lost,
            InvalidReason::Checksum => self.checksum,
            InvalidReason::Date => self.date,
            InvalidReason::Century => self.century,
            InvalidReason::NotAllowedInProfile => self.not_allowed_in_profile,
        }
    }

    pub(crate) fn count(&mut self, reason: InvalidReason) {
        let counter = match reason {
            InvalidReason::Missing => &mut self.missing,
            InvalidReason::Format => &mut self.format,
            InvalidReason::LeadingZeroLost => &mut self.leading_zero_lost,
            InvalidReason::Checksum => &mut self.checksum,
            InvalidReason::Date => &mut self.date,
            InvalidReason::Century => &mut self.century,
            InvalidReason::NotAllowedInProfile => &mut self.not_allowed_in_profile,
        };
        *counter += 1;
    }
}

/// Outcome of one row. Each row read has exactly one outcome, checked in
/// this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RowOutcome {
    /// The row equals an earlier row of the file field by field.
    Duplicate,
    /// The row has a different number of fields than the header row.
    Malformed,
    /// The identity number is invalid.
    InvalidIdentifier(InvalidReason),
    /// A valid H-number, which is never linked across registries.
    HNumber,
    /// Population register only: a second row for a number already in the
    /// spine, with other values. The first row is used.
    RepeatedIdentity,
    /// The number is claimed by more than one spine person.
    Ambiguous,
    /// The number is valid but not in the spine.
    NotFound,
    /// The row belongs to a person on the registry's exclusion list.
    Excluded,
    /// The registry is consent-based and the row's person is not among the
    /// persons with a valid consent.
    WithoutConsent,
    /// The number is a spine person's current number.
    LinkedDirect,
    /// The number is a spine person's former D-number.
    LinkedFormerDNumber,
}

/// Row counts of one registry file. The counts other than `rows_read` and
/// `invalid_values` partition the rows: [`FileReport::accounted_rows`]
/// equals `rows_read`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FileReport {
    pub registry: Registry,
    pub file: &'static str,
    /// Data rows, without the header row.
    pub rows_read: u64,
    /// Exact duplicates of an earlier row, counted once.
    pub duplicates: u64,
    /// Rows whose field count differs from the header row.
    pub malformed: u64,
    pub invalid_identifier: InvalidIdentifierCounts,
    /// Rows with a valid H-number, which is never linked across registries.
    pub hnumber: u64,
    /// Population register only: further rows for a number already in the
    /// spine, with other values; the first row is used.
    pub repeated_identity: u64,
    /// Rows whose number more than one spine person claims.
    pub ambiguous: u64,
    /// Rows with a valid number that is not in the spine.
    pub not_found: u64,
    /// Rows left out because their person is on the exclusion list.
    pub excluded_by_consent: u64,
    /// Rows of a consent-based registry left out because their person has
    /// no valid consent on record, including persons with no record at all.
    pub without_consent: u64,
    /// Rows linked on the person's current number. For the population
    /// register: the rows that became spine persons.
    pub linked_direct: u64,
    /// Rows linked through the person's former D-number.
    pub linked_former_dnumber: u64,
    /// Share of distinct rows (read minus duplicates) whose number was found
    /// in the spine, including excluded rows; null for a file without rows.
    pub linkage_rate: Option<f64>,
    /// Values that could not be parsed and were treated as missing, by
    /// column. Their rows are still linked and counted above.
    pub invalid_values: BTreeMap<&'static str, u64>,
    /// Invalid numbers in identity columns that are not used for linking
    /// (the birth registry's `child_id`), by column. Their rows are counted
    /// above by the linked column alone.
    pub other_identifiers: BTreeMap<&'static str, InvalidIdentifierCounts>,
}

impl FileReport {
    pub(crate) fn new(registry: Registry) -> Self {
        Self {
            registry,
            file: registry.file_name(),
            rows_read: 0,
            duplicates: 0,
            malformed: 0,
            invalid_identifier: InvalidIdentifierCounts::default(),
            hnumber: 0,
            repeated_identity: 0,
            ambiguous: 0,
            not_found: 0,
            excluded_by_consent: 0,
            without_consent: 0,
            linked_direct: 0,
            linked_former_dnumber: 0,
            linkage_rate: None,
            invalid_values: BTreeMap::new(),
            other_identifiers: BTreeMap::new(),
        }
    }

    /// Counts one row with its outcome.
    pub(crate) fn count(&mut self, outcome: RowOutcome) {
        self.rows_read += 1;
        match outcome {
            RowOutcome::Duplicate => self.duplicates += 1,
            RowOutcome::Malformed => self.malformed += 1,
            RowOutcome::InvalidIdentifier(reason) => self.invalid_identifier.count(reason),
            RowOutcome::HNumber => self.hnumber += 1,
            RowOutcome::RepeatedIdentity => self.repeated_identity += 1,
            RowOutcome::Ambiguous => self.ambiguous += 1,
            RowOutcome::NotFound => self.not_found += 1,
            RowOutcome::Excluded => self.excluded_by_consent += 1,
            RowOutcome::WithoutConsent => self.without_consent += 1,
            RowOutcome::LinkedDirect => self.linked_direct += 1,
            RowOutcome::LinkedFormerDNumber => self.linked_former_dnumber += 1,
        }
    }

    /// Adds value problems found in this file's linked rows.
    pub(crate) fn add_invalid_values(&mut self, invalid: BTreeMap<&'static str, u64>) {
        for (column, count) in invalid {
            *self.invalid_values.entry(column).or_insert(0) += count;
        }
    }

    /// Sets `linkage_rate` from the counts.
    pub(crate) fn finish(&mut self) {
        let distinct = self.rows_read - self.duplicates;
        let found = self.linked_direct
            + self.linked_former_dnumber
            + self.excluded_by_consent
            + self.without_consent;
        // Row counts stay far below 2^52, where u64 to f64 is exact.
        self.linkage_rate = (distinct > 0).then(|| found as f64 / distinct as f64);
    }

    /// Sum of the outcome counts, which equals `rows_read` for every file.
    pub fn accounted_rows(&self) -> u64 {
        self.duplicates
            + self.malformed
            + self.invalid_identifier.total()
            + self.hnumber
            + self.repeated_identity
            + self.ambiguous
            + self.not_found
            + self.excluded_by_consent
            + self.without_consent
            + self.linked_direct
            + self.linked_former_dnumber
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_is_accounted_once() {
        let outcomes = [
            RowOutcome::Duplicate,
            RowOutcome::Malformed,
            RowOutcome::InvalidIdentifier(InvalidReason::Missing),
            RowOutcome::InvalidIdentifier(InvalidReason::Format),
            RowOutcome::InvalidIdentifier(InvalidReason::LeadingZeroLost),
            RowOutcome::InvalidIdentifier(InvalidReason::Checksum),
            RowOutcome::InvalidIdentifier(InvalidReason::Date),
            RowOutcome::InvalidIdentifier(InvalidReason::Century),
            RowOutcome::InvalidIdentifier(InvalidReason::NotAllowedInProfile),
            RowOutcome::HNumber,
            RowOutcome::RepeatedIdentity,
            RowOutcome::Ambiguous,
            RowOutcome::NotFound,
            RowOutcome::Excluded,
            RowOutcome::WithoutConsent,
            RowOutcome::LinkedDirect,
            RowOutcome::LinkedFormerDNumber,
        ];
        let mut report = FileReport::new(Registry::Cancer);
        for (index, outcome) in outcomes.into_iter().enumerate() {
            report.count(outcome);
            assert_eq!(report.rows_read, index as u64 + 1, "{outcome:?}");
            assert_eq!(report.accounted_rows(), report.rows_read, "{outcome:?}");
        }
        assert_eq!(report.invalid_identifier.total(), 7);
    }

    #[test]
    fn linkage_rate_counts_distinct_rows() {
        let mut report = FileReport::new(Registry::Patient);
        report.count(RowOutcome::LinkedDirect);
        report.count(RowOutcome::Duplicate);
        report.count(RowOutcome::Excluded);
        report.count(RowOutcome::NotFound);
        report.count(RowOutcome::LinkedFormerDNumber);
        report.finish();
        assert_eq!(report.linkage_rate, Some(0.75));
    }

    #[test]
    fn linkage_rate_of_empty_file_is_null() {
        let mut report = FileReport::new(Registry::Quality);
        report.finish();
        assert_eq!(report.linkage_rate, None);
        let json = serde_json::to_value(&report).unwrap();
        assert!(json["linkage_rate"].is_null());
    }

    #[test]
    fn report_json_field_names() {
        let mut report = FileReport::new(Registry::Birth);
        report.count(RowOutcome::InvalidIdentifier(
            InvalidReason::LeadingZeroLost,
        ));
        report.finish();
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["registry"], "birth");
        assert_eq!(json["file"], "birth.csv");
        assert_eq!(json["invalid_identifier"]["leading_zero_lost"], 1);
        assert_eq!(json["linkage_rate"], 0.0);
    }
}
