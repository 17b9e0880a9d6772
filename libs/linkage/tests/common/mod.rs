//! Registry folders for the integration tests, with synthetic identity
//! numbers (month plus 80) so no test number can belong to a real person.

#![allow(dead_code)]

use std::fs;
use std::path::Path;

use hap_identity::{ChecksumPolicy, IdentityNumber, Profile, Rules, classic_check_digits};

pub const TEST_RULES: Rules = Rules {
    policy: ChecksumPolicy::Allow2032,
    profile: Profile::Test,
};

/// Hands out unique identity numbers with valid classic check digits.
pub struct Numbers {
    next_individual: u32,
}

impl Numbers {
    pub fn new() -> Self {
        Self {
            next_individual: 100,
        }
    }

    /// Completes `day`, `month` (both with any offsets already added) and the
    /// two-digit `year` with the next individual number in `range` that has
    /// classic check digits.
    fn issue(&mut self, day: u32, month: u32, year: u32, range: std::ops::Range<u32>) -> String {
        let start = range.start.max(self.next_individual);
        for individual in start..range.end {
            let first_nine = format!("{day:02}{month:02}{year:02}{individual:03}");
            let digits: [u8; 9] = first_nine
                .bytes()
                .map(|byte| byte - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            if let Some([first, second]) = classic_check_digits(&digits) {
                self.next_individual = individual + 1;
                return format!("{first_nine}{first}{second}");
            }
        }
        panic!("no individual number left in {range:?}");
    }

    /// Returns a synthetic ordinary number of a person born in the 1900s.
    pub fn person(&mut self, day: u32, month: u32, year: u32) -> String {
        self.issue(day, month + 80, year, 0..500)
    }

    /// Returns a synthetic D-number (day plus 40) of a person born in the 1900s.
    pub fn dnumber(&mut self, day: u32, month: u32, year: u32) -> String {
        self.issue(day + 40, month + 80, year, 0..500)
    }

    /// Returns an H-number (month plus 40).
    pub fn hnumber(&mut self, day: u32, month: u32, year: u32) -> String {
        self.issue(day, month + 40, year, 0..500)
    }

    /// Returns a synthetic number whose date does not exist (30 February).
    pub fn impossible_date(&mut self) -> String {
        self.issue(30, 82, 70, 0..500)
    }

    /// Returns a synthetic number whose individual number (500-749) gives no
    /// century for the year 45.
    pub fn no_century(&mut self) -> String {
        let mut numbers = Numbers {
            next_individual: 500,
        };
        numbers.issue(1, 81, 45, 500..750)
    }
}

/// Parses a test number, which must be valid.
pub fn id(number: &str) -> IdentityNumber {
    hap_identity::parse(number, TEST_RULES).unwrap()
}

/// Returns the number with its last digit changed, so the check digit is wrong.
pub fn wrong_check_digit(number: &str) -> String {
    let (head, last) = number.split_at(10);
    let digit: u32 = last.parse().unwrap();
    format!("{head}{}", (digit + 1) % 10)
}

/// Writes one registry file: the header row, then the rows.
pub fn write_file(dir: &Path, file_name: &str, header: &str, rows: &[String]) {
    let mut text = String::from(header);
    text.push('\n');
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    fs::write(dir.join(file_name), text).unwrap();
}

pub const POPULATION_HEADER: &str =
    "person_id,sex,birth_date,municipality,death_date,emigration_date,former_dnumber";
pub const CANCER_HEADER: &str = "person_id,icd10,diagnosis_date,stage";
pub const BIRTH_HEADER: &str = "mother_id,child_id,birth_date,birth_weight_g,gestational_age_weeks";
pub const PATIENT_HEADER: &str = "person_id,episode_start,episode_end,icd10";
pub const QUALITY_HEADER: &str = "person_id,surgery_date,procedure,asa_score";
