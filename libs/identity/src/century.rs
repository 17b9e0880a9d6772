//! The century encoded by the individual number (digits 7-9).
//!
//! Ordinary numbers use the classic table. D-numbers issued since November
//! 2021 also use a wider series, so a D-number may match a century in
//! either table, and where the two tables disagree its century is ambiguous.
//! Numbers issued from 2032 encode no century at all; callers handle those.

/// Century of a birth year as far as the individual number encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Century {
    /// First year of the century, such as 1900.
    Known(i32),
    /// Two series give different centuries, first years in ascending order.
    Ambiguous([i32; 2]),
    /// No series has this pair of individual number and year.
    NotEncoded,
}

/// Century from the classic table for `individual` (000-999) and the
/// two-digit year `year_in_century`:
///
/// - 000-499: the 1900s;
/// - 500-749 with year 54 or more: the 1800s;
/// - 500-999 with year 39 or less: the 2000s;
/// - 900-999 with year 40 or more: the 1900s.
///
/// Other pairs (500-749 with year 40-53, 750-899 with year 40 or more) are
/// not in the table.
pub(crate) fn classic_century(individual: u16, year_in_century: u8) -> Option<i32> {
    match (individual, year_in_century) {
        (0..=499, _) => Some(1900),
        (500..=749, 54..) => Some(1800),
        (500..=999, ..=39) => Some(2000),
        (900..=999, 40..) => Some(1900),
        _ => None,
    }
}

/// Century from the wider D-number series that the Norwegian Tax
/// Administration introduced in 2021 (announced June 2021, issued since
/// November 2021):
///
/// - 500-599 with year 58 or more: the 1800s;
/// - 000-199 with year 39 or less: the 1900s;
/// - 000-499 and 600-999 with year 40 or more: the 1900s;
/// - 200-999 with year 39 or less: the 2000s.
pub(crate) fn wider_d_number_century(individual: u16, year_in_century: u8) -> Option<i32> {
    match (individual, year_in_century) {
        (500..=599, 58..) => Some(1800),
        (0..=199, ..=39) => Some(1900),
        (0..=499 | 600..=999, 40..) => Some(1900),
        (200..=999, ..=39) => Some(2000),
        _ => None,
    }
}

/// Century of an ordinary number (or of any number built like one).
pub(crate) fn fnr_century(individual: u16, year_in_century: u8) -> Century {
    match classic_century(individual, year_in_century) {
        Some(century) => Century::Known(century),
        None => Century::NotEncoded,
    }
}

/// Century of a D-number: a D-number issued before November 2021 follows the
/// classic table, a later one the wider series, and the number does not say
/// which.
pub(crate) fn d_number_century(individual: u16, year_in_century: u8) -> Century {
    let classic = classic_century(individual, year_in_century);
    let wider = wider_d_number_century(individual, year_in_century);
    match (classic, wider) {
        (Some(a), Some(b)) if a == b => Century::Known(a),
        (Some(a), Some(b)) => Century::Ambiguous([a.min(b), a.max(b)]),
        (Some(century), None) | (None, Some(century)) => Century::Known(century),
        (None, None) => Century::NotEncoded,
    }
}

#[cfg(test)]
mod tests {
    use super::{Century, classic_century, d_number_century, wider_d_number_century};

    #[test]
    fn classic_low_individual_numbers() {
        assert_eq!(classic_century(0, 0), Some(1900));
        assert_eq!(classic_century(499, 99), Some(1900));
    }

    #[test]
    fn classic_1800s() {
        assert_eq!(classic_century(500, 54), Some(1800));
        assert_eq!(classic_century(749, 99), Some(1800));
        assert_eq!(classic_century(750, 99), None);
    }

    #[test]
    fn classic_2000s() {
        assert_eq!(classic_century(500, 0), Some(2000));
        assert_eq!(classic_century(999, 39), Some(2000));
    }

    #[test]
    fn classic_900s_after_1940() {
        assert_eq!(classic_century(900, 40), Some(1900));
        assert_eq!(classic_century(999, 99), Some(1900));
    }

    #[test]
    fn classic_gaps() {
        assert_eq!(classic_century(500, 40), None);
        assert_eq!(classic_century(749, 53), None);
        assert_eq!(classic_century(750, 40), None);
        assert_eq!(classic_century(899, 99), None);
    }

    #[test]
    fn wider_series_ranges() {
        assert_eq!(wider_d_number_century(550, 60), Some(1800));
        assert_eq!(wider_d_number_century(199, 39), Some(1900));
        assert_eq!(wider_d_number_century(650, 45), Some(1900));
        assert_eq!(wider_d_number_century(200, 39), Some(2000));
        assert_eq!(wider_d_number_century(550, 45), None);
    }

    #[test]
    fn d_number_tables_agree() {
        assert_eq!(d_number_century(345, 90), Century::Known(1900));
        assert_eq!(d_number_century(565, 7), Century::Known(2000));
        assert_eq!(d_number_century(100, 20), Century::Known(1900));
    }

    #[test]
    fn d_number_only_wider_series() {
        assert_eq!(d_number_century(800, 70), Century::Known(1900));
        assert_eq!(d_number_century(650, 45), Century::Known(1900));
    }

    #[test]
    fn d_number_tables_disagree() {
        assert_eq!(d_number_century(300, 10), Century::Ambiguous([1900, 2000]));
        assert_eq!(d_number_century(650, 70), Century::Ambiguous([1800, 1900]));
    }

    #[test]
    fn d_number_in_neither_table() {
        assert_eq!(d_number_century(550, 45), Century::NotEncoded);
    }
}
