//! Working days in Norway: Monday to Friday except the public holidays of
//! the Public Holidays Act (helligdagsloven) and the two statutory days,
//! 1 and 17 May.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Returns Easter Sunday of `year` in the Gregorian calendar, by the
/// anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    // The algorithm yields 22 March to 25 April, which always exist.
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// Returns the Norwegian public holidays of `year`, in date order.
pub fn public_holidays(year: i32) -> Vec<NaiveDate> {
    let easter = easter_sunday(year);
    let fixed = |month, day| NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN);
    let mut days = vec![
        fixed(1, 1),                 // New Year's Day
        easter - Duration::days(3),  // Maundy Thursday
        easter - Duration::days(2),  // Good Friday
        easter,                      // Easter Sunday
        easter + Duration::days(1),  // Easter Monday
        fixed(5, 1),                 // Labour Day
        fixed(5, 17),                // Constitution Day
        easter + Duration::days(39), // Ascension Day
        easter + Duration::days(49), // Whit Sunday
        easter + Duration::days(50), // Whit Monday
        fixed(12, 25),               // Christmas Day
        fixed(12, 26),               // Boxing Day
    ];
    days.sort();
    days
}

/// Returns whether `date` is a weekday that is not a public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
    !weekend && !public_holidays(date.year()).contains(&date)
}

/// Returns the day on which `days` working days after `start` have passed;
/// `start` itself does not count. Zero days returns `start`.
pub fn add_working_days(start: NaiveDate, days: u32) -> NaiveDate {
    let mut date = start;
    let mut left = days;
    while left > 0 {
        date += Duration::days(1);
        if is_working_day(date) {
            left -= 1;
        }
    }
    date
}

/// Counts the working days after `from` up to and including `to`; zero when
/// `to` is not after `from`.
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut count = 0;
    let mut date = from;
    while date < to {
        date += Duration::days(1);
        if is_working_day(date) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    #[test]
    fn easter_matches_published_dates() {
        let published = [
            (2024, date(2024, 3, 31)),
            (2025, date(2025, 4, 20)),
            (2026, date(2026, 4, 5)),
            (2027, date(2027, 3, 28)),
            (2038, date(2038, 4, 25)),
            (2285, date(2285, 3, 22)),
        ];
        for (year, sunday) in published {
            assert_eq!(easter_sunday(year), sunday, "Easter {year}");
        }
    }

    #[test]
    fn holidays_of_2026() {
        let expected = [
            date(2026, 1, 1),
            date(2026, 4, 2),
            date(2026, 4, 3),
            date(2026, 4, 5),
            date(2026, 4, 6),
            date(2026, 5, 1),
            date(2026, 5, 14),
            date(2026, 5, 17),
            date(2026, 5, 24),
            date(2026, 5, 25),
            date(2026, 12, 25),
            date(2026, 12, 26),
        ];
        assert_eq!(public_holidays(2026), expected);
    }

    #[test]
    fn easter_week_is_skipped() {
        // Wednesday 1 April 2026; Thursday to Monday are holidays or weekend.
        let wednesday = date(2026, 4, 1);
        assert_eq!(add_working_days(wednesday, 1), date(2026, 4, 7));
        assert_eq!(working_days_between(wednesday, date(2026, 4, 7)), 1);
    }

    #[test]
    fn christmas_and_new_year() {
        // Thursday 24 December 2026: 25 Dec (Fri) is a holiday, 26-27 weekend.
        let eve = date(2026, 12, 24);
        assert_eq!(add_working_days(eve, 1), date(2026, 12, 28));
        assert_eq!(add_working_days(eve, 5), date(2027, 1, 4));
        assert!(!is_working_day(date(2027, 1, 1)));
    }

    #[test]
    fn counting_inverts_adding() {
        let start = date(2026, 3, 20);
        for days in [0, 1, 5, 10, 30, 60, 250] {
            let end = add_working_days(start, days);
            assert_eq!(working_days_between(start, end), days, "{days} days");
            assert!(days == 0 || is_working_day(end), "{end} is a working day");
        }
    }

    #[test]
    fn between_is_zero_backwards() {
        assert_eq!(working_days_between(date(2026, 5, 5), date(2026, 5, 1)), 0);
    }
}
