#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Kinds read from the date digits, and which profile accepts them.

use chrono::NaiveDate;
use hap_identity::{ChecksumPolicy, Kind, Profile, Reason, Rules, Warning, parse};

const TEST_PROFILE: Rules = Rules::new(ChecksumPolicy::Allow2032, Profile::Test);
const PRODUCTION: Rules = Rules::new(ChecksumPolicy::Allow2032, Profile::Production);

fn date(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, month, day)
}

#[test]
fn synthetic_d_number_reports_synthetic() {
    // Day 54 (14 plus 40) and month 89 (9 plus 80).
    let number = parse("54899034565", TEST_PROFILE).unwrap();
    assert_eq!(number.kind(), Kind::Synthetic);
    assert_eq!(number.underlying_kind(), Kind::DNumber);
}

#[test]
fn synthetic_d_number_warns_underlying_kind() {
    let number = parse("54899034565", TEST_PROFILE).unwrap();
    let warnings: Vec<Warning> = number.warnings().collect();
    assert_eq!(warnings, vec![Warning::UnderlyingKind(Kind::DNumber)]);
}

#[test]
fn synthetic_d_number_birth_date_without_offsets() {
    let number = parse("54899034565", TEST_PROFILE).unwrap();
    assert_eq!(number.birth_date(), date(1990, 9, 14));
}

#[test]
fn synthetic_fnr_has_no_underlying_warning() {
    let number = parse("15897612361", TEST_PROFILE).unwrap();
    assert_eq!(number.underlying_kind(), Kind::Fnr);
    assert_eq!(number.warnings().count(), 0);
}

#[test]
fn test_identity_month_plus_65() {
    let number = parse("14689012397", TEST_PROFILE).unwrap();
    assert_eq!(number.kind(), Kind::Test);
    assert_eq!(number.birth_date(), date(1990, 3, 14));
}

#[test]
fn test_identity_rejected_in_production() {
    let rejection = parse("14689012397", PRODUCTION).unwrap_err();
    assert_eq!(rejection.reason, Reason::NotAllowedInProfile);
    assert_eq!(rejection.kind, Some(Kind::Test));
}

#[test]
fn test_identity_on_d_number() {
    let number = parse("54689012380", TEST_PROFILE).unwrap();
    assert_eq!(number.kind(), Kind::Test);
    assert_eq!(number.underlying_kind(), Kind::DNumber);
    assert_eq!(number.birth_date(), date(1990, 3, 14));
}

#[test]
fn synthetic_d_number_rejected_in_production() {
    let rejection = parse("54899034565", PRODUCTION).unwrap_err();
    assert_eq!(rejection.reason, Reason::NotAllowedInProfile);
    assert_eq!(rejection.kind, Some(Kind::Synthetic));
}

#[test]
fn test_profile_accepts_ordinary_kinds() {
    assert_eq!(
        parse("14039012368", TEST_PROFILE).unwrap().kind(),
        Kind::Fnr
    );
    assert_eq!(
        parse("54129034508", TEST_PROFILE).unwrap().kind(),
        Kind::DNumber
    );
    assert_eq!(
        parse("12528034258", TEST_PROFILE).unwrap().kind(),
        Kind::HNumber
    );
    assert_eq!(
        parse("81234567802", TEST_PROFILE).unwrap().kind(),
        Kind::FhNumber
    );
}

#[test]
fn h_number_warns_against_linkage() {
    let number = parse("12528034258", PRODUCTION).unwrap();
    let warnings: Vec<Warning> = number.warnings().collect();
    assert_eq!(warnings, vec![Warning::HNumber]);
}

#[test]
fn h_number_leap_day_in_year_00() {
    // 29 February exists in 2000, so an H-number may carry it.
    let number = parse("29420010190", PRODUCTION).unwrap();
    assert_eq!(number.kind(), Kind::HNumber);
    assert_eq!(number.birth_date(), None);
}

#[test]
fn h_number_date_must_exist() {
    // Day 31 in month 44 (April plus 40).
    let rejection = parse("31449010011", PRODUCTION).unwrap_err();
    assert_eq!(rejection.reason, Reason::Date);
}

#[test]
fn h_number_with_d_number_day_is_date() {
    let rejection = parse("54429012344", PRODUCTION).unwrap_err();
    assert_eq!(rejection.reason, Reason::Date);
}

#[test]
fn fh_number_warns_no_date() {
    let number = parse("91234567883", PRODUCTION).unwrap();
    assert_eq!(number.kind(), Kind::FhNumber);
    assert_eq!(number.birth_date(), None);
    assert_eq!(
        number.warnings().collect::<Vec<_>>(),
        vec![Warning::FhNumber]
    );
}

#[test]
fn fh_number_follows_checksum_policy() {
    let classic = Rules::new(ChecksumPolicy::Classic, Profile::Production);
    // First weighted sum leaves remainder 2.
    assert!(parse("91234567980", PRODUCTION).is_ok());
    assert_eq!(
        parse("91234567980", classic).unwrap_err().reason,
        Reason::Checksum
    );
}

#[test]
fn impossible_day_digits_are_date() {
    for input in ["00019012360", "32019012351", "72019012345"] {
        let rejection = parse(input, PRODUCTION).unwrap_err();
        assert_eq!(rejection.reason, Reason::Date, "input {input}");
    }
}

#[test]
fn impossible_month_digits_are_date() {
    for input in ["14009012398", "14139012306"] {
        let rejection = parse(input, PRODUCTION).unwrap_err();
        assert_eq!(rejection.reason, Reason::Date, "input {input}");
    }
}

#[test]
fn kind_is_none_for_date_rejection() {
    let rejection = parse("14139012306", TEST_PROFILE).unwrap_err();
    assert_eq!(rejection.kind, None);
}
