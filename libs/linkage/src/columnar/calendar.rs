//! Civil dates from days since 1970-01-01 (the Arrow `Date32` unit),
//! without a per-row call into a date library.

/// Returns (year, month, day) of `days` since 1970-01-01 in the proleptic
/// Gregorian calendar, by the era-based algorithm of Howard Hinnant's
/// `civil_from_days`.
pub(crate) fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Date32 spans about ±5.8 million years, which fits i32.
    (year as i32, month as u32, day as u32)
}

pub(crate) fn year_of(days: i32) -> i32 {
    civil_from_days(days).0
}

/// Age in whole years on `on` of a person born on `born`, both in days.
pub(crate) fn age_in_years(born: i32, on: i32) -> i32 {
    let (birth_year, birth_month, birth_day) = civil_from_days(born);
    let (year, month, day) = civil_from_days(on);
    let before_birthday = (month, day) < (birth_month, birth_day);
    year - birth_year - i32::from(before_birthday)
}

/// Days since 1970-01-01 of a date.
pub(crate) fn days_of(date: chrono::NaiveDate) -> i32 {
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    // Criteria dates lie in 1800-2099, far inside i32 days.
    (date - epoch).num_days() as i32
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, NaiveDate};

    use super::*;

    #[test]
    fn matches_chrono_over_three_centuries() {
        let mut date = NaiveDate::from_ymd_opt(1850, 1, 1).unwrap();
        while date.year() < 2150 {
            let (year, month, day) = civil_from_days(days_of(date));
            assert_eq!((year, month, day), (date.year(), date.month(), date.day()));
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn age_turns_on_birthday() {
        let born = days_of(NaiveDate::from_ymd_opt(2000, 2, 29).unwrap());
        let day = |y, m, d| days_of(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(age_in_years(born, day(2018, 2, 28)), 17);
        assert_eq!(age_in_years(born, day(2018, 3, 1)), 18);
        assert_eq!(age_in_years(born, day(2000, 2, 29)), 0);
    }
}
