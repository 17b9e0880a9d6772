//! Resolving an identifier field to a spine person, or to the reason it
//! cannot be linked.

use hap_identity::{Kind, Reason, Rules};
use serde::Serialize;

/// Person index as stored in the spine index.
pub(crate) type PersonIndex = u32;
/// Index flag: the number is a former number that history maps to the person.
pub(crate) const REMAPPED: u32 = 1 << 31;
/// Index value: a former number whose history ends outside the spine.
pub(crate) const UNRESOLVED: u32 = u32::MAX;

/// The reason a row's identifier links to no person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unlinked {
    /// The field is empty. Two missing identifiers never match.
    Missing,
    Format,
    LeadingZeroLost,
    Checksum,
    Date,
    Century,
    /// A synthetic or test number under the production profile.
    SyntheticInProduction,
    /// A valid H-number, a helper number never linked across registries.
    HelperNumber,
    /// A former number whose history ends at a number outside the spine.
    UnresolvedHistory,
    /// A valid number that is not in the spine.
    NotInSpine,
}

impl Unlinked {
    pub const ALL: [Unlinked; 10] = [
        Unlinked::Missing,
        Unlinked::Format,
        Unlinked::LeadingZeroLost,
        Unlinked::Checksum,
        Unlinked::Date,
        Unlinked::Century,
        Unlinked::SyntheticInProduction,
        Unlinked::HelperNumber,
        Unlinked::UnresolvedHistory,
        Unlinked::NotInSpine,
    ];

    /// Returns whether the identifier itself is invalid, as opposed to a
    /// valid number that links to no one.
    pub fn is_invalid(self) -> bool {
        !matches!(
            self,
            Unlinked::HelperNumber | Unlinked::UnresolvedHistory | Unlinked::NotInSpine
        )
    }

    pub fn name(self) -> &'static str {
        match self {
            Unlinked::Missing => "missing",
            Unlinked::Format => "format",
            Unlinked::LeadingZeroLost => "leading-zero-lost",
            Unlinked::Checksum => "checksum",
            Unlinked::Date => "date",
            Unlinked::Century => "century",
            Unlinked::SyntheticInProduction => "synthetic-in-production",
            Unlinked::HelperNumber => "helper-number",
            Unlinked::UnresolvedHistory => "unresolved-history",
            Unlinked::NotInSpine => "not-in-spine",
        }
    }

    fn from_reason(reason: Reason) -> Unlinked {
        match reason {
            Reason::Format => Unlinked::Format,
            Reason::LeadingZeroLost => Unlinked::LeadingZeroLost,
            Reason::Checksum => Unlinked::Checksum,
            Reason::Date => Unlinked::Date,
            Reason::Century => Unlinked::Century,
            Reason::NotAllowedInProfile => Unlinked::SyntheticInProduction,
        }
    }
}

/// Result of resolving one identifier field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// The person's current number.
    Linked(PersonIndex),
    /// A former number that the history maps to the person.
    Remapped(PersonIndex),
    Unlinked(Unlinked),
}

impl Resolution {
    pub(crate) fn person(self) -> Option<PersonIndex> {
        match self {
            Resolution::Linked(person) | Resolution::Remapped(person) => Some(person),
            Resolution::Unlinked(_) => None,
        }
    }
}

/// Decodes a spine index value.
pub(crate) fn decode_entry(entry: u32) -> Resolution {
    if entry == UNRESOLVED {
        Resolution::Unlinked(Unlinked::UnresolvedHistory)
    } else if entry & REMAPPED != 0 {
        Resolution::Remapped(entry & !REMAPPED)
    } else {
        Resolution::Linked(entry)
    }
}

/// Returns the value of exactly 11 ASCII digits, or `None`.
pub(crate) fn eleven_digits(bytes: &[u8]) -> Option<u64> {
    if bytes.len() != 11 {
        return None;
    }
    bytes.iter().try_fold(0_u64, |value, &byte| {
        byte.is_ascii_digit()
            .then(|| value * 10 + u64::from(byte - b'0'))
    })
}

/// Validates a field in full and returns the number, or the reason it is unlinked.
pub(crate) fn validate(field: Option<&str>, rules: Rules) -> Result<u64, Unlinked> {
    let Some(text) = field.filter(|text| !text.trim().is_empty()) else {
        return Err(Unlinked::Missing);
    };
    match hap_identity::parse(text, rules) {
        Ok(id) if id.underlying_kind() == Kind::HNumber => Err(Unlinked::HelperNumber),
        Ok(id) => Ok(id.as_u64()),
        Err(rejection) => Err(Unlinked::from_reason(rejection.reason)),
    }
}
