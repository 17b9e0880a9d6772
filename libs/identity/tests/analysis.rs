#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The JSON object of `Analysis`, as `hapctl id check` prints it.

use hap_identity::{ChecksumPolicy, Profile, Rules, analyze};
use serde_json::{Value, json};

fn json_of(input: &str, rules: Rules) -> Value {
    serde_json::to_value(analyze(input, rules)).unwrap()
}

#[test]
fn valid_number_json() {
    let value = json_of("140390-12368", Rules::default());
    assert_eq!(
        value,
        json!({
            "input": "140390-12368",
            "normalized": "14039012368",
            "kind": "fnr",
            "valid": true,
            "reason": null,
            "birth_date": "1990-03-14",
            "warnings": [],
        })
    );
}

#[test]
fn field_order_is_stable() {
    let text = serde_json::to_string(&analyze("14039012368", Rules::default())).unwrap();
    let positions: Vec<usize> = [
        "\"input\"",
        "\"normalized\"",
        "\"kind\"",
        "\"valid\"",
        "\"reason\"",
        "\"birth_date\"",
        "\"warnings\"",
    ]
    .iter()
    .map(|field| text.find(field).unwrap())
    .collect();
    assert!(positions.is_sorted(), "{text}");
}

#[test]
fn leading_zero_json() {
    let value = json_of("5068720003", Rules::default());
    assert_eq!(value["normalized"], Value::Null);
    assert_eq!(value["kind"], Value::Null);
    assert_eq!(value["valid"], false);
    assert_eq!(value["reason"], "leading-zero-lost");
    assert_eq!(value["birth_date"], Value::Null);
}

#[test]
fn rejection_detail_in_warnings() {
    let value = json_of("14039012369", Rules::default());
    assert_eq!(value["reason"], "checksum");
    assert_eq!(value["normalized"], "14039012369");
    let warnings = value["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().contains("check digit"));
}

#[test]
fn profile_rejection_keeps_kind() {
    let value = json_of("15897612361", Rules::default());
    assert_eq!(value["kind"], "synthetic");
    assert_eq!(value["reason"], "not-allowed-in-profile");
    assert_eq!(value["birth_date"], Value::Null);
}

#[test]
fn synthetic_d_number_warning_names_kind() {
    let rules = Rules::new(ChecksumPolicy::Allow2032, Profile::Test);
    let value = json_of("54899034565", rules);
    assert_eq!(value["kind"], "synthetic");
    let warnings = value["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().contains("dnumber"));
}

#[test]
fn h_number_warning_in_json() {
    let value = json_of("12528034258", Rules::default());
    assert_eq!(value["valid"], true);
    assert_eq!(value["birth_date"], Value::Null);
    let warnings = value["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].as_str().unwrap().contains("H-number"));
}

#[test]
fn input_kept_verbatim() {
    let value = json_of("  14039012368\t", Rules::default());
    assert_eq!(value["input"], "  14039012368\t");
    assert_eq!(value["normalized"], "14039012368");
}

#[test]
fn analysis_round_trips_through_json() {
    let analysis = analyze("30108299939", Rules::default());
    let text = serde_json::to_string(&analysis).unwrap();
    let back: hap_identity::Analysis = serde_json::from_str(&text).unwrap();
    assert_eq!(back, analysis);
}
