//! Parsing of the value fields of linked rows.
//!
//! An empty field is a missing value. A field that does not parse is also
//! treated as missing and counted by column, so the report shows how many
//! values the delivery lacks for that reason.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::csv_source::Row;

/// Counts of values that did not parse, by column name.
#[derive(Debug, Default)]
pub(crate) struct InvalidValues {
    counts: BTreeMap<&'static str, u64>,
}

impl InvalidValues {
    pub(crate) fn count(&mut self, column: &'static str) {
        *self.counts.entry(column).or_insert(0) += 1;
    }

    pub(crate) fn into_counts(self) -> BTreeMap<&'static str, u64> {
        self.counts
    }
}

/// Parses an ISO date `YYYY-MM-DD`.
pub(crate) fn parse_iso_date(text: &[u8]) -> Option<NaiveDate> {
    let [y1, y2, y3, y4, b'-', m1, m2, b'-', d1, d2] = *text else {
        return None;
    };
    let year = decimal(&[y1, y2, y3, y4])?;
    let month = decimal(&[m1, m2])?;
    let day = decimal(&[d1, d2])?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Returns whether an event dated `candidate` comes before the current first event
/// dated `current`. Undated events come after every dated one, and a tie
/// keeps the current event, so the first row listed wins.
pub(crate) fn is_earlier(candidate: Option<NaiveDate>, current: Option<NaiveDate>) -> bool {
    match (candidate, current) {
        (Some(candidate), Some(current)) => candidate < current,
        (Some(_), None) => true,
        (None, _) => false,
    }
}

/// Parses ASCII digits, with no sign, as a number.
fn decimal(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0_u32, |value, &byte| {
        let digit = byte.checked_sub(b'0').filter(|digit| *digit <= 9)?;
        value.checked_mul(10)?.checked_add(u32::from(digit))
    })
}

impl Row<'_> {
    /// Returns the field's text without surrounding whitespace, or `None` when empty.
    /// Text that is not UTF-8 is counted as invalid.
    pub(crate) fn text(&self, column: usize, invalid: &mut InvalidValues) -> Option<&str> {
        let field = self.field(column).trim_ascii();
        if field.is_empty() {
            return None;
        }
        match std::str::from_utf8(field) {
            Ok(text) => Some(text),
            Err(_) => {
                invalid.count(self.column_name(column));
                None
            }
        }
    }

    /// Returns the field as an ISO date.
    pub(crate) fn date(&self, column: usize, invalid: &mut InvalidValues) -> Option<NaiveDate> {
        self.parsed(column, invalid, parse_iso_date)
    }

    /// Returns the field as an unsigned integer in `range`.
    pub(crate) fn integer_in(
        &self,
        column: usize,
        range: std::ops::RangeInclusive<u32>,
        invalid: &mut InvalidValues,
    ) -> Option<u32> {
        self.parsed(column, invalid, |text| {
            if text.len() > 9 {
                return None;
            }
            decimal(text).filter(|value| range.contains(value))
        })
    }

    /// Returns the field parsed by `accept`, counting a rejected value as invalid.
    pub(crate) fn parsed<T>(
        &self,
        column: usize,
        invalid: &mut InvalidValues,
        accept: impl FnOnce(&[u8]) -> Option<T>,
    ) -> Option<T> {
        let field = self.field(column).trim_ascii();
        if field.is_empty() {
            return None;
        }
        let value = accept(field);
        if value.is_none() {
            invalid.count(self.column_name(column));
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_dates_parse() {
        assert_eq!(
            parse_iso_date(b"2020-02-29"),
            NaiveDate::from_ymd_opt(2020, 2, 29)
        );
        assert_eq!(
            parse_iso_date(b"1925-01-01"),
            NaiveDate::from_ymd_opt(1925, 1, 1)
        );
    }

    #[test]
    fn invalid_dates_rejected() {
        for text in [
            &b"2021-02-29"[..],
            b"2020-13-01",
            b"2020-00-10",
            b"2020-01-32",
            b"2020-1-01",
            b"2020/01/01",
            b"20200101",
            b"2020-01-01T",
            b"+020-01-01",
            b"",
        ] {
            assert_eq!(
                parse_iso_date(text),
                None,
                "{:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn earlier_orders_undated_last() {
        let early = NaiveDate::from_ymd_opt(2001, 1, 1);
        let late = NaiveDate::from_ymd_opt(2002, 1, 1);
        assert!(is_earlier(early, late));
        assert!(!is_earlier(late, early));
        assert!(!is_earlier(early, early));
        assert!(is_earlier(early, None));
        assert!(!is_earlier(None, early));
        assert!(!is_earlier(None, None));
    }

    #[test]
    fn decimal_rejects_signs_and_letters() {
        assert_eq!(decimal(b"3500"), Some(3500));
        assert_eq!(decimal(b"-1"), None);
        assert_eq!(decimal(b"1a"), None);
        assert_eq!(decimal(b"99999999999"), None);
    }
}
