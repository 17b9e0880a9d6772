//! The codebook in two forms: `codebook.json` for programs and `codebook.md` for people.
//!
//! Both list the variables in table column order, whatever the order of the input.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::input::{PackageInput, VariableDoc};

/// One variable as written to `codebook.json`.
#[derive(Serialize)]
struct CodebookEntry<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    unit: Option<&'a str>,
    description: &'a str,
    generalisation: Option<&'a str>,
    value_labels: &'a BTreeMap<String, String>,
}

/// Returns the codebook entries in the order of the table's columns.
fn ordered_docs<'a>(input: &PackageInput<'a>) -> Vec<&'a VariableDoc> {
    input
        .table
        .columns()
        .iter()
        .filter_map(|column| input.codebook.iter().find(|doc| doc.name == column.name))
        .collect()
}

/// Renders `codebook.json`: a pretty-printed array with a trailing newline.
pub(crate) fn render_json(input: &PackageInput<'_>) -> Result<Vec<u8>, serde_json::Error> {
    let entries: Vec<CodebookEntry<'_>> = ordered_docs(input)
        .into_iter()
        .map(|doc| CodebookEntry {
            name: &doc.name,
            kind: doc.kind.name(),
            unit: doc.unit.as_deref(),
            description: &doc.description,
            generalisation: doc.generalisation.as_deref(),
            value_labels: &doc.value_labels,
        })
        .collect();
    let mut bytes = serde_json::to_vec_pretty(&entries)?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Renders `codebook.md`: a section per variable, with a table of value labels.
pub(crate) fn render_markdown(input: &PackageInput<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Codebook: {}\n", input.title);
    let _ = writeln!(
        out,
        "Application {}. The released table has {} rows and {} variables.",
        input.application_id,
        input.table.num_rows(),
        input.table.columns().len()
    );

    for doc in ordered_docs(input) {
        let _ = writeln!(out, "\n## {}\n", single_line(&doc.name));
        let _ = writeln!(out, "- Type: {}", doc.kind.name());
        let _ = writeln!(
            out,
            "- Unit: {}",
            doc.unit.as_deref().map_or("none".into(), single_line)
        );
        let _ = writeln!(out, "- Description: {}", single_line(&doc.description));
        let generalisation = doc
            .generalisation
            .as_deref()
            .map_or("none, values as recorded".into(), single_line);
        let _ = writeln!(out, "- Generalisation: {generalisation}");

        if !doc.value_labels.is_empty() {
            let _ = writeln!(out, "\n| Code | Label |\n| --- | --- |");
            for (code, label) in &doc.value_labels {
                let _ = writeln!(out, "| {} | {} |", table_cell(code), table_cell(label));
            }
        }
    }
    out
}

/// Joins lines so that a value cannot start a new Markdown block.
fn single_line(text: &str) -> String {
    text.split(['\r', '\n'])
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Escapes a value for a Markdown table cell.
fn table_cell(text: &str) -> String {
    single_line(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_dataset::{Column, ColumnKind, Table};

    fn table() -> Table {
        Table::new(vec![
            Column::new("sex", ColumnKind::Integer, vec![Some("1".into())]),
            Column::new("age_band", ColumnKind::Text, vec![Some("40-44".into())]),
        ])
        .unwrap()
    }

    fn codebook() -> Vec<VariableDoc> {
        vec![
            VariableDoc {
                name: "age_band".into(),
                kind: ColumnKind::Text,
                unit: Some("years".into()),
                description: "Age at inclusion".into(),
                generalisation: Some("5-year bands".into()),
                value_labels: BTreeMap::new(),
            },
            VariableDoc {
                name: "sex".into(),
                kind: ColumnKind::Integer,
                unit: None,
                description: "Sex as registered".into(),
                generalisation: None,
                value_labels: BTreeMap::from([
                    ("1".to_string(), "Male".to_string()),
                    ("2".to_string(), "Female | other".to_string()),
                ]),
            },
        ]
    }

    fn input<'a>(table: &'a Table, codebook: &'a [VariableDoc]) -> PackageInput<'a> {
        PackageInput {
            title: "Heart study",
            application_id: "APP-7",
            table,
            codebook,
            reports: &[],
        }
    }

    #[test]
    fn json_follows_column_order() {
        let (table, codebook) = (table(), codebook());
        let json: serde_json::Value =
            serde_json::from_slice(&render_json(&input(&table, &codebook)).unwrap()).unwrap();
        assert_eq!(json[0]["name"], "sex");
        assert_eq!(json[1]["name"], "age_band");
    }

    #[test]
    fn json_has_all_fields() {
        let (table, codebook) = (table(), codebook());
        let json: serde_json::Value =
            serde_json::from_slice(&render_json(&input(&table, &codebook)).unwrap()).unwrap();
        assert_eq!(json[1]["type"], "text");
        assert_eq!(json[1]["unit"], "years");
        assert_eq!(json[1]["generalisation"], "5-year bands");
        assert_eq!(json[0]["unit"], serde_json::Value::Null);
        assert_eq!(json[0]["value_labels"]["1"], "Male");
    }

    #[test]
    fn markdown_lists_labels_escaped() {
        let (table, codebook) = (table(), codebook());
        let text = render_markdown(&input(&table, &codebook));
        assert!(text.starts_with("# Codebook: Heart study\n"));
        assert!(text.contains("| 1 | Male |"));
        assert!(text.contains("| 2 | Female \\| other |"));
        assert!(text.contains("- Generalisation: none, values as recorded"));
    }

    #[test]
    fn line_breaks_cannot_start_blocks() {
        assert_eq!(single_line("a\n# b\r\nc"), "a # b c");
    }
}
