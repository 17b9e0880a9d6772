#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Property-style tests over many generated numbers. A fixed-seed xorshift
//! generator keeps every run identical.

use hap_identity::checksum::{FIRST_WEIGHTS, SECOND_WEIGHTS};
use hap_identity::{
    ChecksumPolicy, ChecksumRule, IdentityNumber, Profile, Reason, Rules, classic_check_digits,
    parse,
};

const CLASSIC: Rules = Rules::new(ChecksumPolicy::Classic, Profile::Test);
const ALLOW_2032: Rules = Rules::new(ChecksumPolicy::Allow2032, Profile::Test);

/// Xorshift64 generator: deterministic, and enough to spread digits.
struct Digits(u64);

impl Digits {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn digit(&mut self) -> u8 {
        (self.next_u64() % 10) as u8
    }

    fn nine(&mut self) -> [u8; 9] {
        std::array::from_fn(|_| self.digit())
    }

    /// Nine leading digits with a day and month that exist in every year,
    /// with a random kind offset, so that most of them parse.
    fn dated_nine(&mut self) -> [u8; 9] {
        let day = 1 + self.next_u64() % 28 + [0, 40][(self.next_u64() % 2) as usize];
        let month = 1 + self.next_u64() % 12 + [0, 0, 40, 65, 80][(self.next_u64() % 5) as usize];
        let mut nine = self.nine();
        nine[0] = (day / 10) as u8;
        nine[1] = (day % 10) as u8;
        nine[2] = (month / 10) as u8;
        nine[3] = (month % 10) as u8;
        nine
    }
}

fn to_string(digits: &[u8]) -> String {
    digits
        .iter()
        .map(|digit| char::from(b'0' + digit))
        .collect()
}

fn with_check_digits(nine: &[u8; 9], check: [u8; 2]) -> String {
    let mut all = nine.to_vec();
    all.extend_from_slice(&check);
    to_string(&all)
}

/// Check digits under the 2032 rule for a given remainder of the first sum,
/// or `None` when a check digit would be 10.
fn check_digits_with_remainder(nine: &[u8; 9], remainder: u32) -> Option<[u8; 2]> {
    let first_sum: u32 = nine
        .iter()
        .zip(FIRST_WEIGHTS)
        .map(|(&digit, weight)| u32::from(digit) * u32::from(weight))
        .sum();
    let first = (remainder + 11 - first_sum % 11) % 11;
    if first == 10 {
        return None;
    }
    let mut ten = nine.to_vec();
    ten.push(first as u8);
    let second_sum: u32 = ten
        .iter()
        .zip(SECOND_WEIGHTS)
        .map(|(&digit, weight)| u32::from(digit) * u32::from(weight))
        .sum();
    let second = (11 - second_sum % 11) % 11;
    (second != 10).then_some([first as u8, second as u8])
}

/// Valid numbers under the 2032 policy and test profile, from many dates.
fn valid_numbers(count: usize) -> Vec<IdentityNumber> {
    let mut digits = Digits(0x9E37_79B9_7F4A_7C15);
    let mut numbers = Vec::with_capacity(count);
    while numbers.len() < count {
        let nine = digits.dated_nine();
        let remainder = (digits.next_u64() % 4) as u32;
        let Some(check) = check_digits_with_remainder(&nine, remainder) else {
            continue;
        };
        if let Ok(number) = parse(&with_check_digits(&nine, check), ALLOW_2032) {
            numbers.push(number);
        }
    }
    numbers
}

#[test]
fn classic_check_digits_round_trip() {
    let mut digits = Digits(1);
    let mut parsed = 0;
    for _ in 0..50_000 {
        let nine = digits.dated_nine();
        let Some(check) = classic_check_digits(&nine) else {
            continue;
        };
        let input = with_check_digits(&nine, check);
        match parse(&input, CLASSIC) {
            Ok(number) => {
                assert_eq!(number.as_str(), input);
                assert_eq!(number.checksum_rule(), ChecksumRule::Classic);
                parsed += 1;
            }
            Err(rejection) => assert_ne!(rejection.reason, Reason::Checksum, "input {input}"),
        }
    }
    assert!(parsed > 10_000, "only {parsed} generated numbers parsed");
}

#[test]
fn classic_check_digits_none_means_no_classic_number() {
    let mut digits = Digits(2);
    let mut checked = 0;
    while checked < 500 {
        let nine = digits.nine();
        if classic_check_digits(&nine).is_some() {
            continue;
        }
        checked += 1;
        for first in 0..10 {
            for second in 0..10 {
                let input = with_check_digits(&nine, [first, second]);
                let rejection = parse(&input, CLASSIC).unwrap_err();
                assert_eq!(rejection.reason, Reason::Checksum, "input {input}");
            }
        }
    }
}

#[test]
fn classic_check_digits_rejects_non_digits() {
    assert_eq!(classic_check_digits(&[1, 4, 0, 3, 9, 0, 1, 2, 10]), None);
}

#[test]
fn classic_check_digits_known_values() {
    assert_eq!(
        classic_check_digits(&[1, 4, 0, 3, 9, 0, 1, 2, 3]),
        Some([6, 8])
    );
    assert_eq!(
        classic_check_digits(&[1, 4, 0, 3, 9, 0, 1, 0, 7]),
        Some([8, 0])
    );
}

#[test]
fn one_digit_changes_rejected_for_checksum() {
    // Every weight of the second sum is non-zero modulo the prime 11, so any
    // change of one digit changes that sum, under either policy.
    for number in valid_numbers(2_000) {
        let original = number.as_str().as_bytes();
        for position in 0..11 {
            for digit in b'0'..=b'9' {
                if digit == original[position] {
                    continue;
                }
                let mut changed = original.to_vec();
                changed[position] = digit;
                let changed = String::from_utf8(changed).unwrap();
                let rejection = parse(&changed, ALLOW_2032).unwrap_err();
                assert_eq!(rejection.reason, Reason::Checksum, "input {changed}");
            }
        }
    }
}

#[test]
fn adjacent_swaps_rejected_for_checksum() {
    for number in valid_numbers(2_000) {
        let original = number.as_str().as_bytes();
        for position in 0..10 {
            if original[position] == original[position + 1] {
                continue;
            }
            let mut swapped = original.to_vec();
            swapped.swap(position, position + 1);
            let swapped = String::from_utf8(swapped).unwrap();
            let rejection = parse(&swapped, ALLOW_2032).unwrap_err();
            assert_eq!(rejection.reason, Reason::Checksum, "input {swapped}");
        }
    }
}

#[test]
fn classic_acceptance_implies_2032_acceptance() {
    let mut digits = Digits(3);
    for _ in 0..20_000 {
        let nine = digits.dated_nine();
        let Some(check) = classic_check_digits(&nine) else {
            continue;
        };
        let input = with_check_digits(&nine, check);
        if let Ok(classic) = parse(&input, CLASSIC) {
            let allowed = parse(&input, ALLOW_2032).unwrap();
            assert_eq!(allowed.kind(), classic.kind(), "input {input}");
            assert_eq!(allowed.birth_date(), classic.birth_date(), "input {input}");
        }
    }
}

#[test]
fn remainders_1_to_3_need_allow_2032() {
    let mut digits = Digits(4);
    let mut accepted = 0;
    for _ in 0..20_000 {
        let nine = digits.dated_nine();
        for remainder in 1..=3 {
            let Some(check) = check_digits_with_remainder(&nine, remainder) else {
                continue;
            };
            let input = with_check_digits(&nine, check);
            let classic = parse(&input, CLASSIC).unwrap_err();
            assert_eq!(classic.reason, Reason::Checksum, "input {input}");
            if let Ok(number) = parse(&input, ALLOW_2032) {
                assert_eq!(number.checksum_rule(), ChecksumRule::From2032);
                accepted += 1;
            }
        }
    }
    assert!(
        accepted > 10_000,
        "only {accepted} 2032-rule numbers parsed"
    );
}

#[test]
fn remainders_above_3_always_rejected() {
    let mut digits = Digits(5);
    for _ in 0..20_000 {
        let nine = digits.dated_nine();
        for remainder in 4..=10 {
            let Some(check) = check_digits_with_remainder(&nine, remainder) else {
                continue;
            };
            let input = with_check_digits(&nine, check);
            let rejection = parse(&input, ALLOW_2032).unwrap_err();
            assert_eq!(rejection.reason, Reason::Checksum, "input {input}");
        }
    }
}

#[test]
fn separators_do_not_change_result() {
    for number in valid_numbers(1_000) {
        let digits = number.as_str();
        let (date, rest) = digits.split_at(6);
        for input in [
            format!("{date} {rest}"),
            format!("{date}-{rest}"),
            format!("  {digits}\n"),
            format!("\t{date}-{rest} "),
        ] {
            let reparsed = parse(&input, ALLOW_2032).unwrap();
            assert_eq!(reparsed, number, "input {input:?}");
            assert_eq!(reparsed.kind(), number.kind(), "input {input:?}");
            assert_eq!(
                reparsed.birth_date(),
                number.birth_date(),
                "input {input:?}"
            );
        }
    }
}

#[test]
fn dropped_leading_zero_detected() {
    let mut seen = 0;
    for number in valid_numbers(5_000) {
        if let Some(rest) = number.as_str().strip_prefix('0') {
            let rejection = parse(rest, ALLOW_2032).unwrap_err();
            assert_eq!(rejection.reason, Reason::LeadingZeroLost, "input {rest}");
            seen += 1;
        }
    }
    assert!(seen > 100, "only {seen} numbers started with 0");
}

#[test]
fn as_u64_matches_digits() {
    for number in valid_numbers(1_000) {
        assert_eq!(number.as_u64(), number.as_str().parse::<u64>().unwrap());
    }
}

#[test]
fn ordering_matches_numeric_value() {
    let numbers = valid_numbers(1_000);
    for pair in numbers.windows(2) {
        assert_eq!(
            pair[0].cmp(&pair[1]),
            pair[0].as_u64().cmp(&pair[1].as_u64()),
            "{} and {}",
            pair[0].as_str(),
            pair[1].as_str()
        );
    }
}

#[test]
fn birth_date_kind_offsets_removed() {
    // A number with the synthetic or test offset added to the month has the
    // birth date of the same number without it.
    let mut digits = Digits(6);
    let mut compared = 0;
    for _ in 0..20_000 {
        let mut nine = digits.dated_nine();
        // Keep ordinary months: day offset only.
        nine[2] %= 2;
        if nine[2] == 1 && nine[3] > 2 || nine[2] == 0 && nine[3] == 0 {
            continue;
        }
        let Some(check) = classic_check_digits(&nine) else {
            continue;
        };
        let Ok(plain) = parse(&with_check_digits(&nine, check), ALLOW_2032) else {
            continue;
        };
        for offset in [65, 80] {
            let month = nine[2] * 10 + nine[3] + offset;
            let mut shifted = nine;
            shifted[2] = month / 10;
            shifted[3] = month % 10;
            let Some(check) = classic_check_digits(&shifted) else {
                continue;
            };
            let input = with_check_digits(&shifted, check);
            let number = parse(&input, ALLOW_2032).unwrap();
            assert_eq!(number.birth_date(), plain.birth_date(), "input {input}");
            assert_eq!(number.underlying_kind(), plain.kind(), "input {input}");
            compared += 1;
        }
    }
    assert!(compared > 10_000, "only {compared} pairs compared");
}

#[test]
fn rejections_never_echo_the_number() {
    let mut digits = Digits(7);
    for _ in 0..20_000 {
        let nine = digits.nine();
        let check = [digits.digit(), digits.digit()];
        let input = with_check_digits(&nine, check);
        for rules in [CLASSIC, Rules::default()] {
            if let Err(rejection) = parse(&input, rules) {
                let display = rejection.to_string();
                assert!(!display.contains(&input), "Display echoes the number");
                assert!(!rejection.detail.contains(&input[1..]), "detail echoes it");
                assert!(
                    !format!("{rejection:?}").contains(&input[1..]),
                    "Debug echoes it"
                );
            }
        }
    }
}

#[test]
fn debug_masks_the_number() {
    for number in valid_numbers(500) {
        let debug = format!("{number:?}");
        assert!(!debug.contains(number.as_str()), "{debug}");
        assert!(!debug.contains(&number.as_str()[6..]), "{debug}");
    }
}

#[test]
fn masked_keeps_six_digits() {
    let number = parse("14039012368", Rules::default()).unwrap();
    assert_eq!(number.masked().to_string(), "140390*****");
}
