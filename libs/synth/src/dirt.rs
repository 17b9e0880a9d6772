//! Dirty records: the share of rows that are made dirty, and how.

use std::collections::HashSet;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use rand::Rng;

use crate::report::DirtKind;
use crate::sampling::SynthRng;

/// The change made to one dirty record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dirt {
    pub(crate) kind: DirtKind,
    /// The identity column that was changed, for the identifier kinds.
    pub(crate) column: Option<usize>,
}

/// Decides which records become dirty and changes their identity column.
///
/// Every clean row the generator writes is unique within its file, and a
/// changed identifier is never a valid number, so a changed row can only
/// equal another changed row. Such a collision is undone (the row stays
/// clean), so the only equal rows of a file are the duplicates written on
/// purpose.
pub(crate) struct DirtInjector {
    rng: SynthRng,
    share: f64,
    changed_rows: HashSet<u64>,
}

impl DirtInjector {
    /// `share` is the probability, 0.0 to 1.0, that a record becomes dirty.
    pub(crate) fn new(rng: SynthRng, share: f64) -> DirtInjector {
        DirtInjector {
            rng,
            share: share.clamp(0.0, 1.0),
            changed_rows: HashSet::new(),
        }
    }

    /// Decides whether `record` becomes dirty and, for an identifier kind,
    /// changes one of its `identity_columns`. For [`DirtKind::ExactDuplicate`]
    /// the record is left as it is and the caller writes it twice.
    pub(crate) fn apply(
        &mut self,
        record: &mut [String],
        identity_columns: &[usize],
    ) -> Option<Dirt> {
        if !self.rng.gen_bool(self.share) {
            return None;
        }

        let has_leading_zero = |column: &usize| {
            record
                .get(*column)
                .is_some_and(|value| value.len() == 11 && value.starts_with('0'))
        };
        let has_eleven_digits =
            |column: &usize| record.get(*column).is_some_and(|value| value.len() == 11);
        let applicable: Vec<DirtKind> = DirtKind::ALL
            .into_iter()
            .filter(|kind| match kind {
                DirtKind::LeadingZeroLost => identity_columns.iter().any(has_leading_zero),
                DirtKind::WrongCheckDigit | DirtKind::MissingIdentifier => {
                    identity_columns.iter().any(has_eleven_digits)
                }
                DirtKind::ExactDuplicate => true,
            })
            .collect();
        let kind = applicable[self.rng.gen_range(0..applicable.len())];
        if kind == DirtKind::ExactDuplicate {
            return Some(Dirt { kind, column: None });
        }

        let columns: Vec<usize> = identity_columns
            .iter()
            .copied()
            .filter(|column| match kind {
                DirtKind::LeadingZeroLost => has_leading_zero(column),
                _ => has_eleven_digits(column),
            })
            .collect();
        let column = columns[self.rng.gen_range(0..columns.len())];
        let original = record[column].clone();
        record[column] = self.changed_identifier(&original, kind);

        if self.changed_rows.insert(row_hash(record)) {
            Some(Dirt {
                kind,
                column: Some(column),
            })
        } else {
            record[column] = original;
            None
        }
    }

    fn changed_identifier(&mut self, identifier: &str, kind: DirtKind) -> String {
        match kind {
            DirtKind::WrongCheckDigit => {
                let (head, last) = identifier.split_at(identifier.len() - 1);
                let digit = last.parse::<u32>().unwrap_or(0);
                let wrong = (digit + self.rng.gen_range(1..=9)) % 10;
                format!("{head}{wrong}")
            }
            DirtKind::LeadingZeroLost => identifier[1..].to_string(),
            DirtKind::MissingIdentifier => String::new(),
            DirtKind::ExactDuplicate => identifier.to_string(),
        }
    }
}

fn row_hash(record: &[String]) -> u64 {
    let mut hasher = DefaultHasher::new();
    record.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RegistryFile;
    use crate::sampling::{Stream, stream};

    fn injector(share: f64) -> DirtInjector {
        DirtInjector::new(stream(5, Stream::Dirt(RegistryFile::Birth)), share)
    }

    #[test]
    fn zero_share_changes_nothing() {
        let mut dirt = injector(0.0);
        for _ in 0..1_000 {
            let mut record = vec!["01234567890".to_string(), "x".to_string()];
            assert_eq!(dirt.apply(&mut record, &[0]), None);
            assert_eq!(record[0], "01234567890");
        }
    }

    #[test]
    fn each_kind_changes_the_record_as_named() {
        let mut dirt = injector(1.0);
        let mut seen = HashSet::new();
        for row in 0..2_000 {
            let clean = vec!["01234567890".to_string(), row.to_string()];
            let mut record = clean.clone();
            let outcome = dirt.apply(&mut record, &[0]).unwrap();
            seen.insert(outcome.kind);
            let changed = &record[0];
            match outcome.kind {
                DirtKind::WrongCheckDigit => {
                    assert_eq!(changed.len(), 11);
                    assert_eq!(changed[..10], clean[0][..10]);
                    assert_ne!(changed[10..], clean[0][10..]);
                }
                DirtKind::LeadingZeroLost => assert_eq!(changed, "1234567890"),
                DirtKind::MissingIdentifier => assert_eq!(changed, ""),
                DirtKind::ExactDuplicate => assert_eq!(record, clean),
            }
            assert_eq!(record[1], clean[1]);
        }
        assert_eq!(seen.len(), DirtKind::ALL.len());
    }

    #[test]
    fn leading_zero_lost_needs_a_leading_zero() {
        let mut dirt = injector(1.0);
        for row in 0..500 {
            let mut record = vec!["12345678901".to_string(), row.to_string()];
            let outcome = dirt.apply(&mut record, &[0]).unwrap();
            assert_ne!(outcome.kind, DirtKind::LeadingZeroLost);
        }
    }

    #[test]
    fn colliding_change_is_undone() {
        let mut dirt = injector(1.0);
        let mut dirty_rows = 0;
        // Records that differ only in the identifier collide once it is
        // removed; only the first missing identifier may stay.
        let mut missing = 0;
        for _ in 0..2_000 {
            let mut record = vec!["01234567890".to_string(), "same".to_string()];
            if let Some(outcome) = dirt.apply(&mut record, &[0]) {
                dirty_rows += 1;
                if outcome.kind == DirtKind::MissingIdentifier {
                    missing += 1;
                }
            }
        }
        assert_eq!(missing, 1);
        assert!(dirty_rows > 0);
    }
}
