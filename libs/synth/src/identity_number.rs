//! Issuing unique identity numbers: ordinary numbers and D-numbers, in the
//! synthetic or the ordinary series.

use std::collections::HashSet;
use std::fmt;

use chrono::Datelike;
use rand::Rng;

use crate::day::Day;
use crate::error::SynthError;
use crate::options::NumberSeries;
use crate::person::Sex;

/// Added to the day digits of a D-number.
const DNUMBER_DAY_OFFSET: u32 = 40;
/// Added to the month digits of a synthetic number.
const SYNTHETIC_MONTH_OFFSET: u32 = 80;
/// Random draws of an individual number before the allocator scans the
/// whole range of the birth date in order.
const RANDOM_ATTEMPTS: usize = 24;

/// An 11-digit identity number issued by this crate, stored as its value
/// (so a number starting with 0 is below 10^10).
///
/// `Debug` shows only the six date digits, so the number never reaches a log
/// or panic message in full.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct IdNumber(u64);

impl IdNumber {
    fn from_digits(digits: &[u8; 11]) -> IdNumber {
        IdNumber(
            digits
                .iter()
                .fold(0u64, |value, &digit| value * 10 + u64::from(digit)),
        )
    }

    /// Returns the 11 digits as text, with leading zeros.
    pub(crate) fn to_text(self) -> String {
        format!("{:011}", self.0)
    }
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_text();
        write!(formatter, "IdNumber({}*****)", &text[..6])
    }
}

/// The kind of number to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberKind {
    /// An ordinary national identity number (fødselsnummer).
    Ordinary,
    /// A D-number, issued to persons without an ordinary number: day plus 40.
    DNumber,
}

/// Issues identity numbers and remembers every number issued, so no number
/// is issued twice.
pub(crate) struct NumberAllocator {
    series: NumberSeries,
    issued: HashSet<IdNumber>,
    /// Individual numbers by century class (see [`CenturyClass`]) and sex.
    candidates: [[Vec<u32>; 2]; 3],
}

/// Birth-year classes with different individual-number ranges under the
/// century rule.
#[derive(Debug, Clone, Copy)]
enum CenturyClass {
    /// 1900-1939: 000-499.
    Early1900s,
    /// 1940-1999: 000-499 and 900-999.
    Late1900s,
    /// 2000-2039: 500-999.
    Early2000s,
}

impl CenturyClass {
    /// Returns the class of `year`. Years outside 1900-2039 get the
    /// 1900-1939 class, which no caller in this crate requests.
    fn of_year(year: i32) -> CenturyClass {
        match year {
            1940..=1999 => CenturyClass::Late1900s,
            2000..=2039 => CenturyClass::Early2000s,
            _ => CenturyClass::Early1900s,
        }
    }

    fn contains(self, individual: u32) -> bool {
        match self {
            CenturyClass::Early1900s => individual <= 499,
            CenturyClass::Late1900s => individual <= 499 || individual >= 900,
            CenturyClass::Early2000s => individual >= 500,
        }
    }
}

const CENTURY_CLASSES: [CenturyClass; 3] = [
    CenturyClass::Early1900s,
    CenturyClass::Late1900s,
    CenturyClass::Early2000s,
];

impl NumberAllocator {
    pub(crate) fn new(series: NumberSeries) -> NumberAllocator {
        let candidates = CENTURY_CLASSES.map(|class| {
            [Sex::Male, Sex::Female].map(|sex| {
                (0..1000)
                    .filter(|&individual| class.contains(individual))
                    .filter(|&individual| individual % 2 == sex_parity(sex))
                    .collect()
            })
        });
        NumberAllocator {
            series,
            issued: HashSet::new(),
            candidates,
        }
    }

    /// Issues a new number for a person born on `birth` of sex `sex`.
    ///
    /// The individual number lies in a range whose century rule gives the
    /// birth year: 000-499 for the 1900s, 900-999 for 1940-1999, and 500-999
    /// for 2000-2039. Its last digit is odd for males and even for females.
    /// Individual numbers whose classic check digit would be 10 are skipped.
    pub(crate) fn issue(
        &mut self,
        rng: &mut impl Rng,
        birth: Day,
        sex: Sex,
        kind: NumberKind,
    ) -> Result<IdNumber, SynthError> {
        let date = birth.to_date();
        let class = CenturyClass::of_year(date.year()) as usize;
        let sex_index = match sex {
            Sex::Male => 0,
            Sex::Female => 1,
        };
        let candidates = &self.candidates[class][sex_index];
        let prefix = date_digits(self.series, date, kind);

        for _ in 0..RANDOM_ATTEMPTS {
            let individual = candidates[rng.gen_range(0..candidates.len())];
            if let Some(number) = issue_if_free(&mut self.issued, &prefix, individual) {
                return Ok(number);
            }
        }
        let start = rng.gen_range(0..candidates.len());
        for offset in 0..candidates.len() {
            let individual = candidates[(start + offset) % candidates.len()];
            if let Some(number) = issue_if_free(&mut self.issued, &prefix, individual) {
                return Ok(number);
            }
        }
        Err(SynthError::NumberSpaceExhausted {
            birth_date: date,
            sex,
        })
    }
}

/// Returns the six date digits DDMMYY with the offsets of the kind and the
/// series.
fn date_digits(series: NumberSeries, date: chrono::NaiveDate, kind: NumberKind) -> [u8; 6] {
    let day_offset = match kind {
        NumberKind::Ordinary => 0,
        NumberKind::DNumber => DNUMBER_DAY_OFFSET,
    };
    let month_offset = match series {
        NumberSeries::Synthetic => SYNTHETIC_MONTH_OFFSET,
        NumberSeries::Ordinary => 0,
    };
    let day = date.day() + day_offset;
    let month = date.month() + month_offset;
    let year = date.year().rem_euclid(100).unsigned_abs();
    [
        day / 10,
        day % 10,
        month / 10,
        month % 10,
        year / 10,
        year % 10,
    ]
    .map(digit)
}

/// Completes the number with its classic check digits and records it as
/// issued. Returns `None` when a check digit would be 10 or the number was
/// already issued.
fn issue_if_free(
    issued: &mut HashSet<IdNumber>,
    prefix: &[u8; 6],
    individual: u32,
) -> Option<IdNumber> {
    let mut first_nine = [0u8; 9];
    first_nine[..6].copy_from_slice(prefix);
    first_nine[6] = digit(individual / 100);
    first_nine[7] = digit(individual / 10 % 10);
    first_nine[8] = digit(individual % 10);
    let [first_check, second_check] = hap_identity::classic_check_digits(&first_nine)?;

    let mut digits = [0u8; 11];
    digits[..9].copy_from_slice(&first_nine);
    digits[9] = first_check;
    digits[10] = second_check;
    let number = IdNumber::from_digits(&digits);
    issued.insert(number).then_some(number)
}

/// Returns the last digit of the individual number for `sex`: odd for
/// males, even for females.
fn sex_parity(sex: Sex) -> u32 {
    match sex {
        Sex::Male => 1,
        Sex::Female => 0,
    }
}

/// Narrows a value below 10 to one digit.
fn digit(value: u32) -> u8 {
    u8::try_from(value % 10).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    fn digits_of(number: IdNumber) -> Vec<u32> {
        number
            .to_text()
            .chars()
            .map(|c| c.to_digit(10).unwrap())
            .collect()
    }

    fn individual_of(number: IdNumber) -> u32 {
        let digits = digits_of(number);
        digits[6] * 100 + digits[7] * 10 + digits[8]
    }

    #[test]
    fn synthetic_month_has_offset_80() {
        let mut allocator = NumberAllocator::new(NumberSeries::Synthetic);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let birth = Day::from_ymd(1985, 3, 7).unwrap();
        let number = allocator
            .issue(&mut rng, birth, Sex::Female, NumberKind::Ordinary)
            .unwrap();
        assert_eq!(&number.to_text()[..6], "078385");
    }

    #[test]
    fn dnumber_day_has_offset_40() {
        let mut allocator = NumberAllocator::new(NumberSeries::Ordinary);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let birth = Day::from_ymd(1970, 11, 23).unwrap();
        let number = allocator
            .issue(&mut rng, birth, Sex::Male, NumberKind::DNumber)
            .unwrap();
        assert_eq!(&number.to_text()[..6], "631170");
    }

    #[test]
    fn individual_number_follows_century_and_sex() {
        let mut allocator = NumberAllocator::new(NumberSeries::Synthetic);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let cases = [(1930, Sex::Male), (1965, Sex::Female), (2010, Sex::Male)];
        for (year, sex) in cases {
            let birth = Day::from_ymd(year, 5, 5).unwrap();
            for _ in 0..50 {
                let number = allocator
                    .issue(&mut rng, birth, sex, NumberKind::Ordinary)
                    .unwrap();
                let individual = individual_of(number);
                let in_range = match year {
                    1930 => individual <= 499,
                    1965 => individual <= 499 || individual >= 900,
                    _ => (500..=999).contains(&individual),
                };
                assert!(in_range, "individual number {individual} for {year}");
                assert_eq!(individual % 2 == 1, sex == Sex::Male);
            }
        }
    }

    #[test]
    fn exhausted_birth_date_is_an_error() {
        let mut allocator = NumberAllocator::new(NumberSeries::Synthetic);
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let birth = Day::from_ymd(2005, 1, 1).unwrap();
        let mut issued = HashSet::new();
        let outcome = loop {
            match allocator.issue(&mut rng, birth, Sex::Female, NumberKind::Ordinary) {
                Ok(number) => assert!(issued.insert(number), "number issued twice"),
                Err(error) => break error,
            }
        };
        assert!(matches!(outcome, SynthError::NumberSpaceExhausted { .. }));
        // 250 even individual numbers, minus those whose check digit is 10.
        assert!(issued.len() > 150, "only {} numbers issued", issued.len());
        assert!(issued.len() <= 250);
    }

    #[test]
    fn debug_masks_individual_and_check_digits() {
        let number = IdNumber::from_digits(&[0, 1, 8, 1, 9, 0, 1, 2, 3, 4, 5]);
        assert_eq!(format!("{number:?}"), "IdNumber(018190*****)");
    }
}
