#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The configuration reference in docs/operations.md lists every key that
//! has a default, as its `HAP__SECTION__KEY` variable, with that default.

use std::collections::BTreeMap;

use config::{Config, File, FileFormat};
use serde_json::Value;

const REFERENCE: &str = include_str!("../../docs/operations.md");

/// Returns the built-in defaults of each service, and those every service shares.
fn defaults() -> Vec<(&'static str, &'static str)> {
    vec![
        ("all", hap_kit::settings::KIT_DEFAULTS),
        ("applications", hap_applications::settings::DEFAULTS),
        ("consent", hap_consent::settings::DEFAULTS),
        ("linkage", hap_linkage_service::settings::DEFAULTS),
        ("anonymization", hap_anonymization::settings::DEFAULTS),
        ("delivery", hap_delivery::settings::DEFAULTS),
    ]
}

/// Flattens a TOML document into environment variable names and values.
fn variables(toml: &str) -> BTreeMap<String, String> {
    let value: Value = Config::builder()
        .add_source(File::from_str(toml, FileFormat::Toml))
        .build()
        .unwrap()
        .try_deserialize()
        .unwrap();
    let mut variables = BTreeMap::new();
    flatten("HAP", &value, &mut variables);
    variables
}

fn flatten(prefix: &str, value: &Value, into: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                flatten(&format!("{prefix}__{}", key.to_uppercase()), value, into);
            }
        }
        // A list of tables (such as the registries' legal basis) is
        // described in prose; its row names the variable only.
        Value::Array(items) if items.iter().any(Value::is_object) => {
            into.insert(prefix.to_owned(), String::new());
        }
        Value::String(text) if text.is_empty() => {
            into.insert(prefix.to_owned(), "\"\"".to_owned());
        }
        Value::String(text) => {
            into.insert(prefix.to_owned(), text.clone());
        }
        other => {
            into.insert(prefix.to_owned(), other.to_string());
        }
    }
}

/// Returns the table rows of the reference that name `variable` in backticks.
fn rows_naming(variable: &str) -> Vec<&'static str> {
    let name = format!("`{variable}`");
    REFERENCE
        .lines()
        .filter(|line| line.starts_with('|') && line.contains(&name))
        .collect()
}

#[test]
fn every_default_is_documented() {
    let mut missing = Vec::new();
    for (service, toml) in defaults() {
        for (variable, default) in variables(toml) {
            let value = format!("`{default}`");
            if !rows_naming(&variable)
                .iter()
                .any(|row| default.is_empty() || row.contains(&value))
            {
                missing.push(format!("{variable} = {default} ({service})"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "docs/operations.md has no configuration reference row with these defaults:\n{}",
        missing.join("\n")
    );
}
