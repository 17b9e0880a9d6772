//! Facts about a valid number that a caller should see.

use std::fmt;

use crate::kind::Kind;

/// A fact about a valid number: why no birth date was derived, or how to
/// treat the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Warning {
    /// A synthetic or test number built on another kind, such as a D-number.
    UnderlyingKind(Kind),
    /// The check digits follow only the rule for numbers issued from 2032,
    /// whose individual number no longer encodes the century, so the birth
    /// year comes from the classic table and may be wrong.
    CenturyAssumed2032,
    /// The check digits follow only the rule for numbers issued from 2032,
    /// and the tables give no single century with an existing date, so no
    /// birth date is derived.
    CenturyNotEncoded2032,
    /// A D-number whose individual number gives one century in the classic
    /// table and another in the wider series issued since November 2021, so
    /// no birth date is derived.
    DNumberCenturyAmbiguous,
    /// An H-number: a temporary helper number for a person whose identity
    /// number is unknown, never linked across registries. Its date digits
    /// are not a reliable birth date, so no birth date is derived.
    HNumber,
    /// An FH-number: it contains no date, so no birth date is derived.
    FhNumber,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::UnderlyingKind(kind) => {
                write!(
                    f,
                    "underlying kind {kind}: the month carries the synthetic or test offset"
                )
            }
            Warning::CenturyAssumed2032 => f.write_str(
                "the check digits follow the rule for numbers issued from 2032, whose \
                 individual number no longer encodes the century: the birth year assumes the \
                 classic century table",
            ),
            Warning::CenturyNotEncoded2032 => f.write_str(
                "the check digits follow the rule for numbers issued from 2032, whose \
                 individual number no longer encodes the century, and the classic table gives \
                 no century: no birth date derived",
            ),
            Warning::DNumberCenturyAmbiguous => f.write_str(
                "D-number whose individual number gives different centuries in the classic \
                 series and in the wider series issued since November 2021: no birth date derived",
            ),
            Warning::HNumber => f.write_str(
                "H-number: a temporary helper number that must never be linked across \
                 registries. Its date digits are not a reliable birth date, so no birth date \
                 derived",
            ),
            Warning::FhNumber => {
                f.write_str("FH-number: it contains no date, so no birth date derived")
            }
        }
    }
}

/// Set of the warnings without payload, as bit flags, so that a parsed
/// number carries its warnings without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WarningSet(u8);

/// Warnings in the order [`WarningSet::iter`] yields them, one bit each.
const FLAGGED: [Warning; 5] = [
    Warning::CenturyAssumed2032,
    Warning::CenturyNotEncoded2032,
    Warning::DNumberCenturyAmbiguous,
    Warning::HNumber,
    Warning::FhNumber,
];

impl WarningSet {
    fn bit(warning: Warning) -> u8 {
        FLAGGED
            .iter()
            .position(|&flagged| flagged == warning)
            .map_or(0, |index| 1 << index)
    }

    /// Adds `warning`. [`Warning::UnderlyingKind`] has no flag, so it is ignored.
    pub(crate) fn insert(&mut self, warning: Warning) {
        self.0 |= Self::bit(warning);
    }

    pub(crate) fn iter(self) -> impl Iterator<Item = Warning> {
        FLAGGED
            .into_iter()
            .enumerate()
            .filter(move |&(index, _)| self.0 & (1 << index) != 0)
            .map(|(_, warning)| warning)
    }
}
