#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The kebab-case names of the enums, which front-ends and scripts rely on.

use std::str::FromStr;

use hap_identity::{ChecksumPolicy, Kind, Profile, Reason};
use serde::Serialize;

fn serde_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn policy_names() {
    assert_eq!(ChecksumPolicy::Classic.to_string(), "classic");
    assert_eq!(ChecksumPolicy::Allow2032.to_string(), "allow-2032");
}

#[test]
fn profile_names() {
    assert_eq!(Profile::Production.to_string(), "production");
    assert_eq!(Profile::Test.to_string(), "test");
}

#[test]
fn kind_names() {
    let names: Vec<String> = Kind::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        ["fnr", "dnumber", "hnumber", "fhnumber", "synthetic", "test"]
    );
}

#[test]
fn reason_names() {
    let names: Vec<String> = Reason::ALL.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "format",
            "leading-zero-lost",
            "checksum",
            "date",
            "century",
            "not-allowed-in-profile"
        ]
    );
}

/// Checks that `Display`, `FromStr` and serde agree for every variant.
fn assert_names_agree<T>(all: &[T])
where
    T: Copy + std::fmt::Display + FromStr + Serialize + PartialEq + std::fmt::Debug,
    T::Err: std::fmt::Debug,
{
    for &value in all {
        let name = value.to_string();
        assert_eq!(T::from_str(&name).unwrap(), value, "FromStr of {name}");
        assert_eq!(serde_name(value), name, "serde name of {value:?}");
    }
}

#[test]
fn display_fromstr_serde_agree() {
    assert_names_agree(ChecksumPolicy::ALL);
    assert_names_agree(Profile::ALL);
    assert_names_agree(Kind::ALL);
    assert_names_agree(Reason::ALL);
}

#[test]
fn defaults() {
    assert_eq!(ChecksumPolicy::default(), ChecksumPolicy::Allow2032);
    assert_eq!(Profile::default(), Profile::Production);
}

#[test]
fn unknown_name_lists_accepted_names() {
    let error = ChecksumPolicy::from_str("allow2032").unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown checksum policy `allow2032`: expected one of classic, allow-2032"
    );
}

#[test]
fn names_are_case_sensitive() {
    assert!(Profile::from_str("Test").is_err());
}
