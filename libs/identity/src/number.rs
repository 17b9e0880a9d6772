//! The validated identity number.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use chrono::NaiveDate;

use crate::checksum::ChecksumRule;
use crate::kind::Kind;
use crate::normalize::LEN;
use crate::rejection::Rejection;
use crate::rules::Rules;
use crate::warning::{Warning, WarningSet};

/// Number of leading digits that [`Masked`] shows.
const MASKED_PREFIX: usize = 6;

/// A validated number: 11 ASCII digits after normalisation.
///
/// Equality, ordering and hashing use the digits only. `Debug` shows the
/// masked form, and there is no `Display`, so that the number does not reach
/// a log by accident: call [`IdentityNumber::as_str`] where it is needed.
#[derive(Clone)]
pub struct IdentityNumber {
    digits: [u8; LEN],
    kind: Kind,
    underlying: Kind,
    rule: ChecksumRule,
    warnings: WarningSet,
    birth_date: Option<NaiveDate>,
}

impl IdentityNumber {
    pub(crate) fn new(
        digits: [u8; LEN],
        kind: Kind,
        underlying: Kind,
        rule: ChecksumRule,
        warnings: WarningSet,
        birth_date: Option<NaiveDate>,
    ) -> Self {
        Self {
            digits,
            kind,
            underlying,
            rule,
            warnings,
            birth_date,
        }
    }

    /// Returns the 11 digits.
    pub fn as_str(&self) -> &str {
        // The digits are ASCII by construction, so the fallback is unreachable.
        std::str::from_utf8(&self.digits).unwrap_or_default()
    }

    /// Returns the kind of number. `Synthetic` and `Test` take precedence over
    /// the kind they are built on, which [`IdentityNumber::underlying_kind`] returns.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Kind without the synthetic or test offset: `Fnr`, `DNumber`,
    /// `HNumber` or `FhNumber`.
    pub fn underlying_kind(&self) -> Kind {
        self.underlying
    }

    /// Birth date with kind offsets removed, or `None` for FH-numbers,
    /// H-numbers and numbers whose century is not encoded (see
    /// [`IdentityNumber::warnings`] for the reason).
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth_date
    }

    /// Returns the 11 digits as a number, for fast hashing.
    pub fn as_u64(&self) -> u64 {
        self.digits
            .iter()
            .fold(0, |value, &digit| value * 10 + u64::from(digit - b'0'))
    }

    /// Check-digit rule the number satisfies.
    pub fn checksum_rule(&self) -> ChecksumRule {
        self.rule
    }

    /// Facts a caller should see, such as why no birth date was derived.
    pub fn warnings(&self) -> impl Iterator<Item = Warning> + '_ {
        let underlying = (self.kind != self.underlying).then_some(self.underlying);
        let underlying = underlying
            .filter(|&kind| kind != Kind::Fnr)
            .map(Warning::UnderlyingKind);
        underlying.into_iter().chain(self.warnings.iter())
    }

    /// Form for logs and messages: the first six digits and five asterisks.
    pub fn masked(&self) -> Masked<'_> {
        Masked(self)
    }
}

/// Masked form of an [`IdentityNumber`], such as `140390*****`.
pub struct Masked<'a>(&'a IdentityNumber);

impl fmt::Display for Masked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = self.0.as_str().get(..MASKED_PREFIX).unwrap_or_default();
        write!(f, "{prefix}*****")
    }
}

impl fmt::Debug for IdentityNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityNumber")
            .field("masked", &format_args!("{}", self.masked()))
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl PartialEq for IdentityNumber {
    fn eq(&self, other: &Self) -> bool {
        self.digits == other.digits
    }
}

impl Eq for IdentityNumber {}

impl Hash for IdentityNumber {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_u64().hash(state);
    }
}

impl PartialOrd for IdentityNumber {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for IdentityNumber {
    fn cmp(&self, other: &Self) -> Ordering {
        self.digits.cmp(&other.digits)
    }
}

/// Parses under the default [`Rules`]: the 2032 rule allowed, production profile.
impl FromStr for IdentityNumber {
    type Err = Rejection;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        crate::parse(input, Rules::default())
    }
}
