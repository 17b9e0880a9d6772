//! [`parse`]: normalisation and every check, without allocating on success.

use chrono::NaiveDate;

use crate::century::{Century, d_number_century, fnr_century};
use crate::checksum::{self, ChecksumRule};
use crate::date::{self, ALL_CENTURIES, Layout};
use crate::kind::Kind;
use crate::normalize::{LEN, normalize};
use crate::number::IdentityNumber;
use crate::rejection::{Reason, Rejection};
use crate::rules::{Profile, Rules};
use crate::warning::{Warning, WarningSet};

/// Parses and validates one identity number under `rules`.
///
/// Checks run in this order: format, checksum, date, century, profile. A
/// number is never rejected for the age it implies.
pub fn parse(input: &str, rules: Rules) -> Result<IdentityNumber, Rejection> {
    let digits = normalize(input)?;
    validate(digits, rules)
}

/// Validates 11 ASCII digits, as returned by normalisation.
pub(crate) fn validate(digits: [u8; LEN], rules: Rules) -> Result<IdentityNumber, Rejection> {
    let values = digits.map(|digit| digit - b'0');
    let rule = checksum::verify(&values, rules.policy)?;
    let mut warnings = WarningSet::default();

    let (kind, underlying, birth_date) = match date::classify(&values)? {
        Layout::Undated => {
            warnings.insert(Warning::FhNumber);
            (Kind::FhNumber, Kind::FhNumber, None)
        }
        Layout::Dated {
            kind,
            underlying,
            day,
            month,
            year_in_century,
        } => {
            let individual =
                u16::from(values[6]) * 100 + u16::from(values[7]) * 10 + u16::from(values[8]);
            let birth_date = derive_birth_date(
                underlying,
                rule,
                individual,
                (year_in_century, month, day),
                &mut warnings,
            )?;
            (kind, underlying, birth_date)
        }
    };

    if rules.profile == Profile::Production && kind.is_test_only() {
        return Err(Rejection {
            reason: Reason::NotAllowedInProfile,
            kind: Some(kind),
            detail: format!(
                "{kind} numbers are accepted only by the test profile and never enter \
                 production data"
            ),
        });
    }

    Ok(IdentityNumber::new(
        digits, kind, underlying, rule, warnings, birth_date,
    ))
}

/// Derives the birth date, or `None` with a warning when the century is not
/// encoded or ambiguous. Checks in every case that the date exists in at
/// least one possible century.
///
/// A number issued from 2032 whose first check digit leaves remainder 0 is
/// indistinguishable from a classic one, so its century comes from the tables.
fn derive_birth_date(
    underlying: Kind,
    rule: ChecksumRule,
    individual: u16,
    (year_in_century, month, day): (u8, u8, u8),
    warnings: &mut WarningSet,
) -> Result<Option<NaiveDate>, Rejection> {
    if underlying == Kind::HNumber {
        date::date_exists_in_any(&ALL_CENTURIES, year_in_century, month, day)?;
        warnings.insert(Warning::HNumber);
        return Ok(None);
    }

    let century = match underlying {
        Kind::DNumber => d_number_century(individual, year_in_century),
        _ => fnr_century(individual, year_in_century),
    };

    if rule == ChecksumRule::From2032 {
        // The individual number of these numbers encodes no century, so the
        // tables give only an assumption and no date is rejected by it.
        date::date_exists_in_any(&ALL_CENTURIES, year_in_century, month, day)?;
        let assumed = match century {
            Century::Known(century) => {
                date::calendar_date(century + i32::from(year_in_century), month, day)
            }
            Century::Ambiguous(_) | Century::NotEncoded => None,
        };
        warnings.insert(match assumed {
            Some(_) => Warning::CenturyAssumed2032,
            None => Warning::CenturyNotEncoded2032,
        });
        return Ok(assumed);
    }

    match century {
        Century::Known(century) => {
            date::date_exists(century + i32::from(year_in_century), month, day).map(Some)
        }
        Century::Ambiguous(centuries) => {
            date::date_exists_in_any(&centuries, year_in_century, month, day)?;
            warnings.insert(Warning::DNumberCenturyAmbiguous);
            Ok(None)
        }
        Century::NotEncoded => Err(Rejection::new(
            Reason::Century,
            match underlying {
                Kind::DNumber => {
                    "the individual number (digits 7-9) encodes no century for this birth year, \
                     neither in the classic table nor in the wider D-number series"
                }
                _ => {
                    "the individual number (digits 7-9) encodes no century for this birth year: \
                     500-749 need year 54 or more or 39 or less, 750-899 need year 39 or less"
                }
            },
        )),
    }
}
