//! The package `README.md`: the content of each file, and how to decrypt and check them.

use std::fmt::Write as _;

use crate::file_name::{
    CODEBOOK_JSON_FILE, CODEBOOK_MARKDOWN_FILE, CSV_FILE, MANIFEST_FILE, PARQUET_FILE,
};
use crate::input::PackageInput;

pub(crate) fn render(input: &PackageInput<'_>) -> String {
    let rows = input.table.num_rows();
    let columns = input.table.columns().len();
    let mut out = String::new();

    let _ = writeln!(out, "# {}\n", input.title);
    let _ = writeln!(
        out,
        "Data delivery for application {}: one table of {}, {}, its codebook, and the \
         reports on how it was produced.\n",
        input.application_id,
        count(rows, "row"),
        count(columns, "variable")
    );

    let _ = writeln!(out, "## Files\n");
    let _ = writeln!(out, "| File | Content |\n| --- | --- |");
    let _ = writeln!(
        out,
        "| {PARQUET_FILE} | The released table in Parquet, with typed columns. |"
    );
    let _ = writeln!(
        out,
        "| {CSV_FILE} | The same table as CSV: UTF-8, comma-separated, one header row, empty cells for missing values. |"
    );
    let _ = writeln!(
        out,
        "| {CODEBOOK_MARKDOWN_FILE} | Description of every variable, for reading. |"
    );
    let _ = writeln!(
        out,
        "| {CODEBOOK_JSON_FILE} | The same descriptions as JSON, for programs. |"
    );
    for (name, _) in input.reports {
        let _ = writeln!(out, "| {name} | Report, JSON. |");
    }
    let _ = writeln!(out, "| README.md | This file. |");
    let _ = writeln!(
        out,
        "| {MANIFEST_FILE} | Size in bytes and SHA-256 of every other file. |\n"
    );

    let _ = writeln!(out, "## Decrypting\n");
    let _ = writeln!(
        out,
        "Each file arrives encrypted with Crypt4GH (GA4GH file encryption standard, version 1) \
         as `<file>.c4gh`, for the public keys registered with the application. Decrypt a file \
         with your secret key, for example with the `crypt4gh` tool:\n"
    );
    let _ = writeln!(
        out,
        "    crypt4gh decrypt --sk <your secret key> < {CSV_FILE}.c4gh > {CSV_FILE}\n"
    );

    let _ = writeln!(out, "## Checking\n");
    let _ = writeln!(
        out,
        "After decryption, compare each file with its entry in `{MANIFEST_FILE}`, for example \
         `sha256sum {CSV_FILE}` against the `sha256` field. A different size or digest means \
         the file is damaged: ask for it again."
    );
    out
}

fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_dataset::{Column, ColumnKind, Table};

    #[test]
    fn readme_names_project_and_files() {
        let table = Table::new(vec![Column::new(
            "a",
            ColumnKind::Integer,
            vec![Some("1".into()), None],
        )])
        .unwrap();
        let reports = [("linkage-report.json", serde_json::json!({}))];
        let input = PackageInput {
            title: "Heart study",
            application_id: "APP-7",
            table: &table,
            codebook: &[],
            reports: &reports,
        };
        let text = render(&input);
        assert!(text.starts_with("# Heart study\n"));
        assert!(text.contains("application APP-7"));
        assert!(text.contains("one table of 2 rows, 1 variable,"));
        assert!(text.contains("| linkage-report.json |"));
        assert!(text.contains("| manifest.json |"));
        assert!(text.contains("crypt4gh decrypt --sk"));
    }
}
