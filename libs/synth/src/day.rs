//! Calendar days as a day count, for cheap arithmetic and comparison.

use std::fmt;

use chrono::{Datelike, NaiveDate};

/// A calendar day, stored as the number of days since 0001-01-01 (day 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Day(i32);

impl Day {
    /// Returns the day for a year, month and day, or `None` if that date does
    /// not exist.
    pub(crate) fn from_ymd(year: i32, month: u32, day: u32) -> Option<Day> {
        NaiveDate::from_ymd_opt(year, month, day).map(Day::from_date)
    }

    /// Returns January 1 of `year`.
    ///
    /// Falls back to the chrono minimum date for a year outside chrono's
    /// range, which no caller in this crate requests.
    pub(crate) fn first_of_year(year: i32) -> Day {
        Day::from_date(NaiveDate::from_yo_opt(year, 1).unwrap_or(NaiveDate::MIN))
    }

    /// Returns December 31 of `year`.
    pub(crate) fn last_of_year(year: i32) -> Day {
        Day::first_of_year(year + 1).plus(-1)
    }

    pub(crate) fn from_date(date: NaiveDate) -> Day {
        Day(date.num_days_from_ce())
    }

    pub(crate) fn to_date(self) -> NaiveDate {
        NaiveDate::from_num_days_from_ce_opt(self.0).unwrap_or(NaiveDate::MIN)
    }

    pub(crate) fn number(self) -> i32 {
        self.0
    }

    pub(crate) fn from_number(number: i32) -> Day {
        Day(number)
    }

    /// Returns the day `days` later (earlier when negative).
    pub(crate) fn plus(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    pub(crate) fn year(self) -> i32 {
        self.to_date().year()
    }

    /// Returns the age in whole years of a person born on `birth` at `self`.
    pub(crate) fn age_since(self, birth: Day) -> i32 {
        let on = self.to_date();
        let born = birth.to_date();
        let mut age = on.year() - born.year();
        if (on.month(), on.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        age
    }

    /// Returns the same month and day `years` later, or March 1 when the
    /// start is February 29 and the target year has none.
    pub(crate) fn plus_years(self, years: i32) -> Day {
        let date = self.to_date();
        let year = date.year() + years;
        Day::from_ymd(year, date.month(), date.day())
            .or_else(|| Day::from_ymd(year, 3, 1))
            .unwrap_or(self)
    }
}

/// Formats the day as ISO 8601 `YYYY-MM-DD`.
impl fmt::Display for Day {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let date = self.to_date();
        write!(
            formatter,
            "{:04}-{:02}-{:02}",
            date.year(),
            date.month(),
            date.day()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_iso_8601() {
        let day = Day::from_ymd(2024, 2, 9).unwrap();
        assert_eq!(day.to_string(), "2024-02-09");
    }

    #[test]
    fn last_of_year_is_december_31() {
        assert_eq!(
            Day::last_of_year(2023),
            Day::from_ymd(2023, 12, 31).unwrap()
        );
    }

    #[test]
    fn age_counts_whole_years() {
        let birth = Day::from_ymd(1990, 6, 15).unwrap();
        let before_birthday = Day::from_ymd(2020, 6, 14).unwrap();
        let on_birthday = Day::from_ymd(2020, 6, 15).unwrap();
        assert_eq!(before_birthday.age_since(birth), 29);
        assert_eq!(on_birthday.age_since(birth), 30);
    }

    #[test]
    fn plus_years_moves_leap_day_to_march() {
        let leap_day = Day::from_ymd(2000, 2, 29).unwrap();
        assert_eq!(leap_day.plus_years(1), Day::from_ymd(2001, 3, 1).unwrap());
        assert_eq!(leap_day.plus_years(4), Day::from_ymd(2004, 2, 29).unwrap());
    }
}
