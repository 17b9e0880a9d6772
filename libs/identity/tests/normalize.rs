#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Normalisation of raw input: whitespace, one separator, lost leading zeros.

use hap_identity::{Reason, Rules, parse};

fn reason(input: &str) -> Option<Reason> {
    parse(input, Rules::default())
        .err()
        .map(|rejection| rejection.reason)
}

fn normalized(input: &str) -> String {
    parse(input, Rules::default()).unwrap().as_str().to_owned()
}

#[test]
fn surrounding_whitespace_is_stripped() {
    assert_eq!(normalized("  14039012368"), "14039012368");
    assert_eq!(normalized("14039012368\t"), "14039012368");
    assert_eq!(normalized("\r\n14039012368\n"), "14039012368");
    assert_eq!(normalized(" 140390-12368 "), "14039012368");
}

#[test]
fn one_separator_after_date_digits() {
    assert_eq!(normalized("140390 12368"), "14039012368");
    assert_eq!(normalized("140390-12368"), "14039012368");
}

#[test]
fn separator_elsewhere_is_format() {
    assert_eq!(reason("14039-012368"), Some(Reason::Format));
    assert_eq!(reason("1403901-2368"), Some(Reason::Format));
    assert_eq!(reason("14 03 90 12368"), Some(Reason::Format));
}

#[test]
fn two_separators_are_format() {
    assert_eq!(reason("140390 -12368"), Some(Reason::Format));
    assert_eq!(reason("140390--12368"), Some(Reason::Format));
}

#[test]
fn other_separators_are_format() {
    assert_eq!(reason("140390.12368"), Some(Reason::Format));
    assert_eq!(reason("140390/12368"), Some(Reason::Format));
    assert_eq!(reason("140390\t12368"), Some(Reason::Format));
}

#[test]
fn wrong_lengths_are_format() {
    assert_eq!(reason(""), Some(Reason::Format));
    assert_eq!(reason("   "), Some(Reason::Format));
    assert_eq!(reason("140390123"), Some(Reason::Format));
    assert_eq!(reason("140390123680"), Some(Reason::Format));
}

#[test]
fn non_digits_are_format() {
    assert_eq!(reason("1403901236X"), Some(Reason::Format));
    assert_eq!(reason("+4714039012"), Some(Reason::Format));
    // Arabic-Indic digits are digits in Unicode but not in an identity number.
    assert_eq!(reason("١٤٠٣٩٠١٢٣٦٨"), Some(Reason::Format));
}

#[test]
fn ten_digits_are_leading_zero_lost() {
    assert_eq!(reason("5068720003"), Some(Reason::LeadingZeroLost));
    assert_eq!(reason(" 5068720003 "), Some(Reason::LeadingZeroLost));
}

#[test]
fn ten_digits_with_separator_are_format() {
    assert_eq!(reason("506872 0003"), Some(Reason::Format));
}

#[test]
fn ten_digits_are_never_padded() {
    // "0" + "5068720003" is a valid number, and parse must still reject.
    assert!(parse("05068720003", Rules::default()).is_ok());
    assert!(parse("5068720003", Rules::default()).is_err());
}

#[test]
fn leading_zero_message_gives_the_fix() {
    let rejection = parse("5068720003", Rules::default()).unwrap_err();
    assert!(rejection.detail.contains("leading zero"));
    assert!(rejection.detail.contains("restore"));
}

#[test]
fn format_message_names_the_length() {
    let rejection = parse("140390123", Rules::default()).unwrap_err();
    assert!(rejection.detail.contains("found 9"), "{}", rejection.detail);
}
