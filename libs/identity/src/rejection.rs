//! Rejection reasons for invalid numbers.

use serde::{Deserialize, Serialize};

use crate::kind::Kind;
use crate::rules::named_enum;

/// Reason an input is not a valid identity number under the given rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// Not 11 digits after normalisation.
    Format,
    /// Ten digits: probably a number stored as an integer that lost its
    /// leading zero. The input is never padded.
    LeadingZeroLost,
    /// A check digit does not match the checksum policy.
    Checksum,
    /// The date digits do not form an existing date (after removing offsets).
    Date,
    /// The individual number encodes no century for this year.
    Century,
    /// A synthetic or test number under the production profile.
    NotAllowedInProfile,
}

named_enum!(
    Reason, "reason",
    Reason::Format => "format",
    Reason::LeadingZeroLost => "leading-zero-lost",
    Reason::Checksum => "checksum",
    Reason::Date => "date",
    Reason::Century => "century",
    Reason::NotAllowedInProfile => "not-allowed-in-profile",
);

/// An invalid identity number: the reason, the kind when every check except
/// the profile passed, and a detail sentence.
///
/// Neither `detail` nor `Display` contains the number: at most its length.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid identity number ({reason}): {detail}")]
pub struct Rejection {
    pub reason: Reason,
    pub kind: Option<Kind>,
    pub detail: String,
}

impl Rejection {
    pub(crate) fn new(reason: Reason, detail: impl Into<String>) -> Self {
        Self {
            reason,
            kind: None,
            detail: detail.into(),
        }
    }
}
