//! Synthetic identity numbers (month plus 80), which no real person has, and
//! the person hashes the service stores for them.

use hap_identity::{ChecksumPolicy, Profile, Rules, classic_check_digits};
use hap_kit::store::hex;

/// The rules of the service under test (`consent.identity.profile = "test"`).
pub const TEST_RULES: Rules = Rules {
    policy: ChecksumPolicy::Allow2032,
    profile: Profile::Test,
};

/// Issues distinct synthetic numbers with valid classic check digits, for
/// persons born on 15 March 1971.
pub struct Numbers {
    next_individual: u32,
}

impl Numbers {
    pub fn new() -> Self {
        Numbers {
            next_individual: 100,
        }
    }

    /// Returns the next number: day, month plus 80, two-digit year, a 3-digit
    /// individual number below 500 (born in the 1900s) and the check digits.
    pub fn issue(&mut self) -> String {
        let (day, month, year) = (15, 3 + 80, 71);
        for individual in self.next_individual..500 {
            let first_nine = format!("{day:02}{month:02}{year:02}{individual:03}");
            let digits: [u8; 9] = first_nine
                .bytes()
                .map(|byte| byte - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            // Skip individual numbers that have no classic check digits.
            if let Some([first, second]) = classic_check_digits(&digits) {
                self.next_individual = individual + 1;
                return format!("{first_nine}{first}{second}");
            }
        }
        panic!("no individual number below 500 is left for 15 March 1971");
    }
}

/// Returns `number` with its last check digit changed, so it is invalid.
pub fn with_wrong_check_digit(number: &str) -> String {
    let (head, last) = number.split_at(10);
    let digit: u32 = last.parse().unwrap();
    format!("{head}{}", (digit + 1) % 10)
}

/// Returns the HMAC-SHA256 person hash of `number` under `key`.
pub fn person_hash(key: &[u8], number: &str) -> [u8; 32] {
    let id = hap_identity::parse(number, TEST_RULES).unwrap();
    hap_linkage::person_hash(key, &id)
}

/// Returns the person hash of `number` in lowercase hex, as exclusion lists hold it.
pub fn person_hash_hex(key: &[u8], number: &str) -> String {
    hex(&person_hash(key, number))
}

/// Returns `count` distinct synthetic numbers with valid check digits,
/// for persons born on consecutive days from 1 January 1950.
pub fn many(count: usize) -> Vec<String> {
    let mut numbers = Vec::with_capacity(count);
    let mut day = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap();
    while numbers.len() < count {
        let date = day.format("%d%m%y").to_string();
        let (dd, mm, yy) = (&date[..2], &date[2..4], &date[4..]);
        let month: u32 = mm.parse().unwrap();
        for individual in 0..500 {
            let first_nine = format!("{dd}{:02}{yy}{individual:03}", month + 80);
            let digits: [u8; 9] = first_nine
                .bytes()
                .map(|byte| byte - b'0')
                .collect::<Vec<_>>()
                .try_into()
                .unwrap();
            if let Some([first, second]) = classic_check_digits(&digits) {
                numbers.push(format!("{first_nine}{first}{second}"));
                if numbers.len() == count {
                    break;
                }
            }
        }
        day = day.succ_opt().unwrap();
    }
    numbers
}

/// Returns every run of exactly 11 digits in `bytes` that is a valid
/// identity number under the test rules, masked after the birth date.
pub fn identity_numbers_in(bytes: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut start = None;
    for (index, byte) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        match (byte.is_ascii_digit(), start) {
            (true, None) => start = Some(index),
            (false, Some(from)) => {
                if index - from == 11 {
                    let run = std::str::from_utf8(&bytes[from..index]).unwrap();
                    if hap_identity::parse(run, TEST_RULES).is_ok() {
                        found.push(format!("{}*****", &run[..6]));
                    }
                }
                start = None;
            }
            _ => {}
        }
    }
    found
}
