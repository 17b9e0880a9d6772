//! Kind offsets in the date digits, and date existence.

use chrono::NaiveDate;

use crate::kind::Kind;
use crate::rejection::{Reason, Rejection};

/// Offset added to the day of a D-number.
const D_NUMBER_DAY_OFFSET: u8 = 40;
/// Offset added to the month of an H-number.
const H_NUMBER_MONTH_OFFSET: u8 = 40;
/// Offset added to the month of a health-network test identity.
const TEST_MONTH_OFFSET: u8 = 65;
/// Offset added to the month of a Tax Administration synthetic number.
const SYNTHETIC_MONTH_OFFSET: u8 = 80;

/// Centuries a birth year can fall in, for numbers whose century is unknown.
pub(crate) const ALL_CENTURIES: [i32; 3] = [1800, 1900, 2000];

/// Structure of the first six digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// FH-number: first digit 8 or 9, no date.
    Undated,
    /// DDMMYY with offsets removed.
    Dated {
        /// Reported kind: `Synthetic` or `Test` when the month carries their
        /// offset, otherwise the same as `underlying`.
        kind: Kind,
        /// Kind without the synthetic or test offset: `Fnr`, `DNumber` or `HNumber`.
        underlying: Kind,
        day: u8,
        month: u8,
        year_in_century: u8,
    },
}

/// Reads the kind offsets from `digits` (values 0-9) and removes them.
///
/// Checks only that day and month fall in a known range; [`date_exists`] and
/// [`date_exists_in_any`] check the calendar.
pub(crate) fn classify(digits: &[u8; 11]) -> Result<Layout, Rejection> {
    if digits[0] >= 8 {
        return Ok(Layout::Undated);
    }
    let raw_day = digits[0] * 10 + digits[1];
    let raw_month = digits[2] * 10 + digits[3];
    let year_in_century = digits[4] * 10 + digits[5];

    let (day, is_d_number) = match raw_day {
        1..=31 => (raw_day, false),
        41..=71 => (raw_day - D_NUMBER_DAY_OFFSET, true),
        _ => {
            return Err(Rejection::new(
                Reason::Date,
                "the day digits are neither a day (01-31) nor a D-number day (41-71)",
            ));
        }
    };

    let (month, month_kind) = match raw_month {
        1..=12 => (raw_month, None),
        41..=52 => (raw_month - H_NUMBER_MONTH_OFFSET, Some(Kind::HNumber)),
        66..=77 => (raw_month - TEST_MONTH_OFFSET, Some(Kind::Test)),
        81..=92 => (raw_month - SYNTHETIC_MONTH_OFFSET, Some(Kind::Synthetic)),
        _ => {
            return Err(Rejection::new(
                Reason::Date,
                "the month digits are no month (01-12), nor a month plus 40 (H-number), \
                 65 (test identity) or 80 (synthetic number)",
            ));
        }
    };

    let underlying = match (is_d_number, month_kind) {
        (true, Some(Kind::HNumber)) => {
            return Err(Rejection::new(
                Reason::Date,
                "both the day (plus 40, D-number) and the month (plus 40, H-number) carry \
                 an offset, and no kind of number has both",
            ));
        }
        (_, Some(Kind::HNumber)) => Kind::HNumber,
        (true, _) => Kind::DNumber,
        (false, _) => Kind::Fnr,
    };
    let kind = match month_kind {
        Some(test_kind @ (Kind::Test | Kind::Synthetic)) => test_kind,
        _ => underlying,
    };

    Ok(Layout::Dated {
        kind,
        underlying,
        day,
        month,
        year_in_century,
    })
}

/// Returns the calendar date, or `None` when it does not exist.
pub(crate) fn calendar_date(year: i32, month: u8, day: u8) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, u32::from(month), u32::from(day))
}

/// Returns the date, or a `Date` rejection when it does not exist.
pub(crate) fn date_exists(year: i32, month: u8, day: u8) -> Result<NaiveDate, Rejection> {
    calendar_date(year, month, day).ok_or_else(no_such_date)
}

/// Checks that day and month exist in the two-digit year of at least one
/// of `centuries` (first years, such as 1900), for numbers whose century is
/// unknown or ambiguous. Only 29 February depends on the century.
pub(crate) fn date_exists_in_any(
    centuries: &[i32],
    year_in_century: u8,
    month: u8,
    day: u8,
) -> Result<(), Rejection> {
    let exists = centuries
        .iter()
        .any(|&century| calendar_date(century + i32::from(year_in_century), month, day).is_some());
    if exists { Ok(()) } else { Err(no_such_date()) }
}

fn no_such_date() -> Rejection {
    Rejection::new(
        Reason::Date,
        "the date digits, with kind offsets removed, form no existing date",
    )
}
