//! The two mod-11 check digits.
//!
//! The first weighted sum covers the first nine digits with [`FIRST_WEIGHTS`]
//! plus the first check digit with weight 1. The second covers the first ten
//! digits with [`SECOND_WEIGHTS`] plus the second check digit with weight 1.
//! The classic rule requires both sums to be divisible by 11. Numbers issued
//! from 2032 may leave remainder 0, 1, 2 or 3 in the first sum, and the rule
//! for the second sum is unchanged.

use serde::{Deserialize, Serialize};

use crate::rejection::{Reason, Rejection};
use crate::rules::ChecksumPolicy;

/// Weights of the first nine digits in the first weighted sum.
pub const FIRST_WEIGHTS: [u8; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
/// Weights of the first ten digits in the second weighted sum.
pub const SECOND_WEIGHTS: [u8; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// Highest remainder of the first weighted sum that the 2032 rule accepts.
const MAX_REMAINDER_2032: u32 = 3;

/// Check-digit rule that a valid number satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChecksumRule {
    /// Both weighted sums are divisible by 11.
    Classic,
    /// The first weighted sum leaves remainder 1, 2 or 3: only numbers issued
    /// from 2032 do that. Remainder 0 counts as [`ChecksumRule::Classic`].
    From2032,
}

/// Remainder modulo 11 of `digits` weighted by `weights`, plus `check`.
fn weighted_remainder(digits: &[u8], weights: &[u8], check: u8) -> u32 {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&digit, &weight)| u32::from(digit) * u32::from(weight))
        .sum();
    (sum + u32::from(check)) % 11
}

/// Check digit that makes the weighted sum divisible by 11, or `None` when
/// that digit would be 10.
fn classic_check_digit(digits: &[u8], weights: &[u8]) -> Option<u8> {
    let remainder = weighted_remainder(digits, weights, 0);
    match (11 - remainder) % 11 {
        10 => None,
        // The match above leaves 0..=9, which fits in a u8.
        digit => u8::try_from(digit).ok(),
    }
}

/// Check digits for nine leading digits under the classic rule, or None when
/// a check digit would be 10 (that individual number cannot be issued).
///
/// Each element of `first_nine` is a digit value 0-9, not an ASCII byte. An
/// element above 9 also yields `None`.
pub fn classic_check_digits(first_nine: &[u8; 9]) -> Option<[u8; 2]> {
    if first_nine.iter().any(|&digit| digit > 9) {
        return None;
    }
    let first = classic_check_digit(first_nine, &FIRST_WEIGHTS)?;

    let mut first_ten = [0u8; 10];
    first_ten[..9].copy_from_slice(first_nine);
    first_ten[9] = first;
    let second = classic_check_digit(&first_ten, &SECOND_WEIGHTS)?;

    Some([first, second])
}

/// Verifies both check digits of `digits` (values 0-9) under `policy` and
/// returns the rule they satisfy.
pub(crate) fn verify(digits: &[u8; 11], policy: ChecksumPolicy) -> Result<ChecksumRule, Rejection> {
    let first = weighted_remainder(&digits[..9], &FIRST_WEIGHTS, digits[9]);
    let rule = match first {
        0 => ChecksumRule::Classic,
        1..=MAX_REMAINDER_2032 if policy == ChecksumPolicy::Allow2032 => ChecksumRule::From2032,
        1..=MAX_REMAINDER_2032 => {
            return Err(Rejection::new(
                Reason::Checksum,
                "the first check digit follows only the rule for numbers issued from 2032, \
                 which the classic checksum policy rejects; use the policy allow-2032 to accept it",
            ));
        }
        _ => {
            return Err(Rejection::new(
                Reason::Checksum,
                "the first check digit does not match the first nine digits; \
                 check the number for a mistyped or swapped digit",
            ));
        }
    };

    let second = weighted_remainder(&digits[..10], &SECOND_WEIGHTS, digits[10]);
    if second != 0 {
        return Err(Rejection::new(
            Reason::Checksum,
            "the second check digit does not match the first ten digits; \
             check the number for a mistyped or swapped digit",
        ));
    }
    Ok(rule)
}
