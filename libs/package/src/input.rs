//! Package input types and their validation.

use std::collections::{BTreeMap, HashSet};

use hap_dataset::{ColumnKind, Table};

use crate::PackageError;
use crate::file_name::{RESERVED_FILE_NAMES, check_plain_file_name};

/// Documentation of one released column, rendered into `codebook.json` and `codebook.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableDoc {
    /// Column name in the table.
    pub name: String,
    /// Must equal the kind of the table column.
    pub kind: ColumnKind,
    /// Unit of measurement, such as `years` or `kg`. `None` for codes and text.
    pub unit: Option<String>,
    pub description: String,
    /// The generalisation applied before release, such as `age in 5-year bands`.
    /// `None` when the values are released as recorded.
    pub generalisation: Option<String>,
    /// Labels of coded values, by code. Sorted by code in the output.
    pub value_labels: BTreeMap<String, String>,
}

/// Everything a delivery package is built from.
#[derive(Debug, Clone, Copy)]
pub struct PackageInput<'a> {
    /// Project title, shown in the README and the codebook.
    pub title: &'a str,
    pub application_id: &'a str,
    /// The released data.
    pub table: &'a Table,
    /// One entry per column of `table`, in any order.
    pub codebook: &'a [VariableDoc],
    /// Reports stored as pretty-printed JSON under the given file names, which must end
    /// in `.json`, such as `("disclosure-report.json", value)`.
    pub reports: &'a [(&'a str, serde_json::Value)],
}

/// Checks the title, the application id, the codebook against the table, and the report
/// file names.
pub(crate) fn validate(input: &PackageInput<'_>) -> Result<(), PackageError> {
    check_single_line("title", input.title)?;
    check_single_line("application_id", input.application_id)?;
    validate_codebook(input.table, input.codebook)?;
    validate_report_names(input.reports)
}

fn check_single_line(field: &'static str, value: &str) -> Result<(), PackageError> {
    if value.trim().is_empty() {
        return Err(PackageError::InvalidInput {
            field,
            reason: "is empty; pass a non-empty value".to_string(),
        });
    }
    if value.chars().any(char::is_control) {
        return Err(PackageError::InvalidInput {
            field,
            reason: "contains a line break or control character; pass a single line".to_string(),
        });
    }
    Ok(())
}

fn validate_codebook(table: &Table, codebook: &[VariableDoc]) -> Result<(), PackageError> {
    let mut seen = HashSet::new();
    for doc in codebook {
        if !seen.insert(doc.name.as_str()) {
            return Err(PackageError::DuplicateVariable {
                name: doc.name.clone(),
            });
        }
        let Some(column) = table.column(&doc.name) else {
            return Err(PackageError::UnknownVariable {
                name: doc.name.clone(),
            });
        };
        if column.kind != doc.kind {
            return Err(PackageError::KindMismatch {
                name: doc.name.clone(),
                codebook: doc.kind.name(),
                table: column.kind.name(),
            });
        }
    }
    for column in table.columns() {
        if !seen.contains(column.name.as_str()) {
            return Err(PackageError::UndocumentedColumn {
                column: column.name.clone(),
            });
        }
    }
    Ok(())
}

fn validate_report_names(reports: &[(&str, serde_json::Value)]) -> Result<(), PackageError> {
    let mut seen = HashSet::new();
    for (name, _) in reports {
        let invalid = |reason| PackageError::InvalidReportName {
            name: (*name).to_string(),
            reason,
        };
        check_plain_file_name(name).map_err(invalid)?;
        if !name.ends_with(".json") {
            return Err(invalid("report names must end in `.json`"));
        }
        if RESERVED_FILE_NAMES.contains(name) {
            return Err(invalid("the package writes a file of that name itself"));
        }
        if !seen.insert(*name) {
            return Err(invalid("two reports have this name"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_dataset::Column;

    fn table() -> Table {
        Table::new(vec![
            Column::new("age_band", ColumnKind::Text, vec![Some("40-44".into())]),
            Column::new("visits", ColumnKind::Integer, vec![Some("3".into())]),
        ])
        .unwrap()
    }

    fn doc(name: &str, kind: ColumnKind) -> VariableDoc {
        VariableDoc {
            name: name.to_string(),
            kind,
            unit: None,
            description: "test".to_string(),
            generalisation: None,
            value_labels: BTreeMap::new(),
        }
    }

    fn input<'a>(
        table: &'a Table,
        codebook: &'a [VariableDoc],
        reports: &'a [(&'a str, serde_json::Value)],
    ) -> PackageInput<'a> {
        PackageInput {
            title: "Study",
            application_id: "APP-1",
            table,
            codebook,
            reports,
        }
    }

    #[test]
    fn complete_codebook_accepted() {
        let table = table();
        let codebook = [
            doc("visits", ColumnKind::Integer),
            doc("age_band", ColumnKind::Text),
        ];
        assert!(validate(&input(&table, &codebook, &[])).is_ok());
    }

    #[test]
    fn missing_entry_rejected() {
        let table = table();
        let codebook = [doc("age_band", ColumnKind::Text)];
        let error = validate(&input(&table, &codebook, &[])).unwrap_err();
        assert!(matches!(error, PackageError::UndocumentedColumn { column } if column == "visits"));
    }

    #[test]
    fn unknown_entry_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Integer),
            doc("weight", ColumnKind::Integer),
        ];
        let error = validate(&input(&table, &codebook, &[])).unwrap_err();
        assert!(matches!(error, PackageError::UnknownVariable { name } if name == "weight"));
    }

    #[test]
    fn duplicate_entry_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Integer),
        ];
        let error = validate(&input(&table, &codebook, &[])).unwrap_err();
        assert!(matches!(error, PackageError::DuplicateVariable { .. }));
    }

    #[test]
    fn kind_mismatch_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Text),
        ];
        let error = validate(&input(&table, &codebook, &[])).unwrap_err();
        assert!(matches!(
            error,
            PackageError::KindMismatch {
                codebook: "text",
                table: "integer",
                ..
            }
        ));
    }

    #[test]
    fn bad_report_names_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Integer),
        ];
        for name in [
            "../escape.json",
            "report.txt",
            "manifest.json",
            ".hidden.json",
            "a/b.json",
        ] {
            let reports = [(name, serde_json::json!({}))];
            let error = validate(&input(&table, &codebook, &reports)).unwrap_err();
            assert!(
                matches!(error, PackageError::InvalidReportName { .. }),
                "{name} was accepted"
            );
        }
    }

    #[test]
    fn duplicate_report_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Integer),
        ];
        let reports = [
            ("r.json", serde_json::json!(1)),
            ("r.json", serde_json::json!(2)),
        ];
        let error = validate(&input(&table, &codebook, &reports)).unwrap_err();
        assert!(matches!(error, PackageError::InvalidReportName { .. }));
    }

    #[test]
    fn multi_line_title_rejected() {
        let table = table();
        let codebook = [
            doc("age_band", ColumnKind::Text),
            doc("visits", ColumnKind::Integer),
        ];
        let mut package = input(&table, &codebook, &[]);
        package.title = "Study\n# injected heading";
        let error = validate(&package).unwrap_err();
        assert!(matches!(
            error,
            PackageError::InvalidInput { field: "title", .. }
        ));
    }
}
