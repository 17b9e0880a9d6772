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
            let mut value_labels: BTreeMap<String, String> = labels_of(&column.name)
                .iter()
                .map(|(code, label)| ((*code).to_owned(), (*label).to_owned()))
                .collect();
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
        "asa_score" => Some("ASA physical status class".into()),
        _ => None,
    }
}

/// Returns the meaning of each coded value of a catalogue column.
fn labels_of(column: &str) -> &'static [(&'static str, &'static str)] {
    match column {
        "sex" => &[("female", "female"), ("male", "male")],
        "stage" => &[
            ("I", "stage I"),
            ("II", "stage II"),
            ("III", "stage III"),
            ("IV", "stage IV: distant metastases"),
        ],
        "asa_score" => &[
            ("1", "ASA I: a normal healthy patient"),
            ("2", "ASA II: mild systemic disease"),
            ("3", "ASA III: severe systemic disease"),
            (
                "4",
                "ASA IV: severe systemic disease that is a constant threat to life",
            ),
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_dataset::{Column, ColumnKind};

    fn table() -> Table {
        Table::new(vec![
            Column::new("pseudonym", ColumnKind::Text, vec![Some("P1".into())]),
            Column::new("sex", ColumnKind::Text, vec![Some("female".into())]),
            Column::new(
                "birth_date",
                ColumnKind::Text,
                vec![Some("1960-1964".into())],
            ),
            Column::new(
                "first_child_birth_weight_g",
                ColumnKind::Integer,
                vec![Some("3400".into())],
            ),
            Column::new("asa_score", ColumnKind::Text, vec![Some("*".into())]),
        ])
        .unwrap()
    }

    fn generalisations() -> Generalisations {
        Generalisations {
            quasi_identifiers: vec![
                ChosenLevel {
                    column: "birth_date".into(),
                    level: 2,
                    max_level: 4,
                    level_name: "5-year bands".into(),
                },
                ChosenLevel {
                    column: "sex".into(),
                    level: 0,
                    max_level: 1,
                    level_name: "as recorded".into(),
                },
            ],
        }
    }

    fn doc<'a>(docs: &'a [VariableDoc], name: &str) -> &'a VariableDoc {
        docs.iter().find(|doc| doc.name == name).unwrap()
    }

    #[test]
    fn every_column_described_in_order() {
        let docs = describe(&table(), &generalisations());
        let names: Vec<&str> = docs.iter().map(|doc| doc.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "pseudonym",
                "sex",
                "birth_date",
                "first_child_birth_weight_g",
                "asa_score"
            ]
        );
        assert!(
            doc(&docs, "birth_date")
                .description
                .contains("population registry")
        );
    }

    #[test]
    fn generalisation_named_when_applied() {
        let docs = describe(&table(), &generalisations());
        assert_eq!(
            doc(&docs, "birth_date").generalisation.as_deref(),
            Some("generalised to level 2 of 4 (5-year bands)")
        );
        assert_eq!(doc(&docs, "sex").generalisation, None);
    }

    #[test]
    fn units_and_types_recorded() {
        let docs = describe(&table(), &generalisations());
        let weight = doc(&docs, "first_child_birth_weight_g");
        assert_eq!(weight.unit.as_deref(), Some("grams"));
        assert_eq!(weight.kind, ColumnKind::Integer);
        assert_eq!(doc(&docs, "birth_date").kind, ColumnKind::Text);
        assert_eq!(doc(&docs, "pseudonym").unit, None);
    }

    #[test]
    fn value_labels_include_suppression() {
        let docs = describe(&table(), &generalisations());
        assert_eq!(doc(&docs, "sex").value_labels["male"], "male");
        let asa = &doc(&docs, "asa_score").value_labels;
        assert_eq!(asa["1"], "ASA I: a normal healthy patient");
        assert_eq!(asa["*"], "suppressed by generalisation");
        assert!(doc(&docs, "birth_date").value_labels.contains_key("*"));
    }
}
