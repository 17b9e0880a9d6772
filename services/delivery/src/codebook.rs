//! The codebook of a release: every column with its type, description and
//! the generalisation applied.

use std::collections::BTreeMap;

use hap_contracts::criteria::{Registry, catalogue};
use hap_dataset::Table;
use hap_package::VariableDoc;
use serde::Deserialize;

/// The part of the disclosure report the codebook reads.
#[derive(Debug, Default, Deserialize)]
pub struct Generalisations {
    #[serde(default)]
    pub quasi_identifiers: Vec<ChosenLevel>,
}

#[derive(Debug, Deserialize)]
pub struct ChosenLevel {
    pub column: String,
    pub level: usize,
    pub max_level: usize,
    pub level_name: String,
}

/// Describes each column of the released table.
pub fn describe(table: &Table, report: &Generalisations) -> Vec<VariableDoc> {
    table
        .columns()
        .iter()
        .map(|column| {
            let variable = catalogue().iter().find(|v| v.name == column.name);
            let description = match (column.name.as_str(), variable) {
                ("pseudonym", _) => {
                    "the person's pseudonym in this project: the same in every delivery to the project, different in any other project".to_owned()
                }
                (_, Some(variable)) => format!(
                    "{} (from the {} registry)",
                    variable.description,
                    registry_name(variable.registry)
                ),
                (name, None) => format!("column `{name}`"),
            };
            let generalisation = report
                .quasi_identifiers
                .iter()
                .find(|chosen| chosen.column == column.name && chosen.level > 0)
                .map(|chosen| {
                    format!(
                        "generalised to level {} of {} ({})",
                        chosen.level, chosen.max_level, chosen.level_name
                    )
                });
            let mut value_labels = BTreeMap::new();
            if column.name == "sex" {
                value_labels.insert("female".to_owned(), "female".to_owned());
                value_labels.insert("male".to_owned(), "male".to_owned());
            }
            if generalisation.is_some() || column.values.iter().flatten().any(|v| v == "*") {
                value_labels.insert("*".to_owned(), "suppressed by generalisation".to_owned());
            }
            VariableDoc {
                name: column.name.clone(),
                kind: column.kind,
                unit: unit_of(&column.name),
                description,
                generalisation,
                value_labels,
            }
        })
        .collect()
}

fn registry_name(registry: Registry) -> &'static str {
    match registry {
        Registry::Population => "population",
        Registry::Cancer => "cancer",
        Registry::Birth => "medical birth",
        Registry::Patient => "patient",
        Registry::Quality => "colorectal cancer quality",
    }
}

fn unit_of(column: &str) -> Option<String> {
    match column {
        "first_child_birth_weight_g" => Some("grams".into()),
        "births_as_mother" | "episodes" => Some("count".into()),
        _ => None,
    }
}
