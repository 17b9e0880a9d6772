#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Century and birth-date derivation, leap years and the 2032 rule.

use chrono::NaiveDate;
use hap_identity::{ChecksumPolicy, ChecksumRule, Profile, Reason, Rules, Warning, parse};

const ALLOW_2032: Rules = Rules::new(ChecksumPolicy::Allow2032, Profile::Production);
const CLASSIC: Rules = Rules::new(ChecksumPolicy::Classic, Profile::Production);

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

fn warnings(input: &str, rules: Rules) -> Vec<Warning> {
    parse(input, rules).unwrap().warnings().collect()
}

#[test]
fn fnr_century_gap_is_century() {
    // Individual number 800 with year 45 is in no series.
    let rejection = parse("01014580049", ALLOW_2032).unwrap_err();
    assert_eq!(rejection.reason, Reason::Century);
    assert_eq!(rejection.kind, None);
}

#[test]
fn leap_day_1900_is_date() {
    // Individual number 100 with year 00 means 1900, which has no 29 February.
    let rejection = parse("29020010027", ALLOW_2032).unwrap_err();
    assert_eq!(rejection.reason, Reason::Date);
}

#[test]
fn leap_day_2000_is_valid() {
    let number = parse("29020060040", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), date(2000, 2, 29));
}

#[test]
fn future_birth_date_is_not_rejected() {
    // Individual number 999 with year 39 means 2039.
    let number = parse("01013999046", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), date(2039, 1, 1));
}

#[test]
fn d_number_century_ambiguous() {
    // 300 with year 10: 1910 in the classic table, 2010 in the wider series.
    let number = parse("41011030120", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), None);
    assert_eq!(
        warnings("41011030120", ALLOW_2032),
        vec![Warning::DNumberCenturyAmbiguous]
    );
}

#[test]
fn d_number_wider_series_only() {
    // 800 with year 70 is only in the wider D-number series.
    let number = parse("41017080022", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), date(1970, 1, 1));
    assert_eq!(number.warnings().count(), 0);
}

#[test]
fn d_number_1800s_in_both_series() {
    let number = parse("41016055083", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), date(1860, 1, 1));
}

#[test]
fn d_number_in_no_series_is_century() {
    let rejection = parse("41014555011", ALLOW_2032).unwrap_err();
    assert_eq!(rejection.reason, Reason::Century);
}

#[test]
fn rule_2032_assumes_classic_century() {
    let number = parse("30108299939", ALLOW_2032).unwrap();
    assert_eq!(number.checksum_rule(), ChecksumRule::From2032);
    assert_eq!(number.birth_date(), date(1982, 10, 30));
    assert_eq!(
        number.warnings().collect::<Vec<_>>(),
        vec![Warning::CenturyAssumed2032]
    );
}

#[test]
fn rule_2032_remainder_3() {
    let number = parse("14039012392", ALLOW_2032).unwrap();
    assert_eq!(number.checksum_rule(), ChecksumRule::From2032);
    assert_eq!(number.birth_date(), date(1990, 3, 14));
}

#[test]
fn rule_2032_without_century_is_valid() {
    // 800 with year 45 is in no series, but 2032-rule numbers encode none.
    let number = parse("01014580057", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), None);
    assert_eq!(
        warnings("01014580057", ALLOW_2032),
        vec![Warning::CenturyNotEncoded2032]
    );
}

#[test]
fn rule_2032_leap_day_other_century() {
    // The classic table gives 1900, where 29 February does not exist, but the
    // number may belong to someone born in 2000.
    let number = parse("29020010043", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), None);
    assert_eq!(
        warnings("29020010043", ALLOW_2032),
        vec![Warning::CenturyNotEncoded2032]
    );
}

#[test]
fn rule_2032_d_number_ambiguous() {
    let number = parse("41011030058", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), None);
    assert_eq!(
        warnings("41011030058", ALLOW_2032),
        vec![Warning::CenturyNotEncoded2032]
    );
}

#[test]
fn classic_policy_rejects_2032_rule() {
    let rejection = parse("14039012392", CLASSIC).unwrap_err();
    assert_eq!(rejection.reason, Reason::Checksum);
    assert!(
        rejection.detail.contains("allow-2032"),
        "{}",
        rejection.detail
    );
}

#[test]
fn classic_number_has_classic_rule() {
    let number = parse("14039012368", CLASSIC).unwrap();
    assert_eq!(number.checksum_rule(), ChecksumRule::Classic);
}

#[test]
fn rule_2032_number_without_classic_twin() {
    // The classic first check digit of 140390008 would be 10, so only the
    // 2032 rule can issue a number with these nine digits.
    assert_eq!(
        hap_identity::classic_check_digits(&[1, 4, 0, 3, 9, 0, 0, 0, 8]),
        None
    );
    let number = parse("14039000807", ALLOW_2032).unwrap();
    assert_eq!(number.birth_date(), date(1990, 3, 14));
}
