//! Date hierarchies.

use super::{Hierarchy, distinct};
use crate::error::HierarchyError;

impl Hierarchy {
    /// Builds a hierarchy over dates written `YYYY-MM-DD`: the day, the month
    /// `YYYY-MM`, the quarter `YYYY-Qn`, the year `YYYY` and `*`. Rejects
    /// values that are not valid dates in the proleptic Gregorian calendar.
    pub fn dates<'a>(values: impl IntoIterator<Item = &'a str>) -> Result<Self, HierarchyError> {
        let rows = date_rows(values, |year, month| {
            let quarter = (month - 1) / 3 + 1;
            vec![
                format!("{year:04}-{month:02}"),
                format!("{year:04}-Q{quarter}"),
                format!("{year:04}"),
            ]
        })?;
        Self::from_rows(rows)?.with_level_names(["day", "month", "quarter", "year", "*"])
    }

    /// Builds a hierarchy over birth dates written `YYYY-MM-DD`: the day, the
    /// month, the year, 5-year and 10-year bands of birth years (`1960-1964`,
    /// `1960-1969`, aligned to multiples of the width) and `*`. Birth dates
    /// need the bands because a year alone is often too fine for a small
    /// cohort, while `*` would lose the age entirely.
    pub fn birth_dates<'a>(
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, HierarchyError> {
        let rows = date_rows(values, |year, month| {
            let band = |width: u32| {
                let start = year - year % width;
                format!("{start:04}-{:04}", start + width - 1)
            };
            vec![
                format!("{year:04}-{month:02}"),
                format!("{year:04}"),
                band(5),
                band(10),
            ]
        })?;
        Self::from_rows(rows)?
            .with_level_names(["day", "month", "year", "5 years", "10 years", "*"])
    }
}

/// Builds one hierarchy row per distinct date: the date, the levels that
/// `levels` derives from its year and month, and `*`.
fn date_rows<'a>(
    values: impl IntoIterator<Item = &'a str>,
    levels: impl Fn(u32, u32) -> Vec<String>,
) -> Result<Vec<Vec<String>>, HierarchyError> {
    let mut rows = Vec::new();
    for value in distinct(values) {
        let (year, month) = parse_date(value).ok_or_else(|| HierarchyError::InvalidValue {
            kind: "date",
            value: value.to_owned(),
            reason: "expected a valid date written YYYY-MM-DD",
        })?;
        let mut row = vec![value.to_owned()];
        row.extend(levels(year, month));
        row.push("*".to_owned());
        rows.push(row);
    }
    Ok(rows)
}

/// Parses `YYYY-MM-DD`, returning the year and month of a valid date.
fn parse_date(value: &str) -> Option<(u32, u32)> {
    let bytes = value.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = value.get(range)?;
        if !part.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        part.parse().ok()
    };
    let year = digits(0..4)?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some((year, month))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn is_leap_year(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn birth_date_levels() {
        let hierarchy = Hierarchy::birth_dates(["1967-02-28"]).unwrap();
        assert_eq!(hierarchy.generalise("1967-02-28", 1), Some("1967-02"));
        assert_eq!(hierarchy.generalise("1967-02-28", 2), Some("1967"));
        assert_eq!(hierarchy.generalise("1967-02-28", 3), Some("1965-1969"));
        assert_eq!(hierarchy.generalise("1967-02-28", 4), Some("1960-1969"));
        assert_eq!(hierarchy.generalise("1967-02-28", 5), Some("*"));
        assert_eq!(hierarchy.level_name(4), Some("10 years"));
    }

    #[test]
    fn birth_date_rejects_invalid_date() {
        assert!(Hierarchy::birth_dates(["1967-02-29"]).is_err());
    }

    #[test]
    fn date_levels() {
        let hierarchy = Hierarchy::dates(["2023-08-17"]).unwrap();
        assert_eq!(hierarchy.generalise("2023-08-17", 1), Some("2023-08"));
        assert_eq!(hierarchy.generalise("2023-08-17", 2), Some("2023-Q3"));
        assert_eq!(hierarchy.generalise("2023-08-17", 3), Some("2023"));
        assert_eq!(hierarchy.generalise("2023-08-17", 4), Some("*"));
        assert_eq!(hierarchy.level_name(2), Some("quarter"));
    }

    #[test]
    fn quarter_boundaries() {
        let hierarchy = Hierarchy::dates(["2024-03-31", "2024-04-01", "2024-12-31"]).unwrap();
        assert_eq!(hierarchy.generalise("2024-03-31", 2), Some("2024-Q1"));
        assert_eq!(hierarchy.generalise("2024-04-01", 2), Some("2024-Q2"));
        assert_eq!(hierarchy.generalise("2024-12-31", 2), Some("2024-Q4"));
    }

    #[test]
    fn leap_day_is_checked() {
        assert!(Hierarchy::dates(["2024-02-29"]).is_ok());
        assert!(Hierarchy::dates(["2000-02-29"]).is_ok());
        assert!(Hierarchy::dates(["2023-02-29"]).is_err());
        assert!(Hierarchy::dates(["1900-02-29"]).is_err());
    }

    #[test]
    fn malformed_dates_are_rejected() {
        for value in [
            "2023-13-01",
            "2023-04-31",
            "2023-1-01",
            "23-01-01",
            "2023/01/01",
            "2023-00-10",
        ] {
            let error = Hierarchy::dates([value]).unwrap_err();
            assert!(
                matches!(error, HierarchyError::InvalidValue { kind: "date", .. }),
                "{value}"
            );
        }
    }
}
