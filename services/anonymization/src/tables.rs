//! The aggregate-table disclosure level. Instead of records, the release is
//! a set of two-way frequency tables of distinct persons in the cohort, one
//! per pair of the linked dataset's variables. Primary and secondary cell
//! suppression with the profile's minimum cell count protect each table.
//!
//! A date variable is tabulated by year, because counts by day would be
//! suppressed almost everywhere. With a single variable, its table has one
//! column, `cohort`, for the whole cohort.

use hap_dataset::{Column, ColumnKind, Table};
use hap_disclosure::{
    Cell, Dataset, FrequencyTable, Label, MinCellCount, ProtectedTable, SuppressionReason,
    TableError, TableViolation,
};
use serde::Serialize;

use crate::settings::AnonymizationSettings;

/// The pseudonym column the linkage writes; it identifies the persons that
/// the tables count.
const PSEUDONYM: &str = "pseudonym";

/// Name and only value of the column variable of a one-variable table.
const COHORT: &str = "cohort";

/// The reason aggregate tables could not be released.
#[derive(Debug, thiserror::Error)]
pub enum TablesError {
    #[error("the linked dataset has no `{PSEUDONYM}` column, so persons cannot be counted")]
    MissingPseudonym,
    #[error("the linked dataset has no variable to tabulate besides `{PSEUDONYM}`")]
    NoVariables,
    #[error("table {name}: {source}")]
    Table { name: String, source: TableError },
    #[error("table {name} failed the independent check, so it was withheld: {violation}")]
    Verification {
        name: String,
        violation: TableViolation,
    },
    #[error("the linked dataset cannot be tabulated: {0}")]
    Records(#[from] hap_disclosure::DisclosureError),
    #[error("invalid minimum cell count: {0}")]
    MinCellCount(TableError),
    #[error("the released table is invalid: {0}")]
    Dataset(#[from] hap_dataset::DatasetError),
}

impl TablesError {
    /// Returns whether the cohort cannot be released under the profile, as
    /// opposed to a fault in the data or the service.
    pub fn is_rejection(&self) -> bool {
        match self {
            Self::Table { source, .. } => matches!(
                source,
                TableError::CannotProtect { .. } | TableError::Unprotected(_)
            ),
            Self::Verification { .. } | Self::NoVariables => true,
            Self::MissingPseudonym
            | Self::Records(_)
            | Self::MinCellCount(_)
            | Self::Dataset(_) => false,
        }
    }
}

/// One protected table and what its protection suppressed.
#[derive(Debug, Serialize)]
pub struct TableReport {
    /// `<row variable> by <column variable>`.
    pub name: String,
    pub row_variable: String,
    pub column_variable: String,
    /// Entries, totals included, suppressed because their count is below
    /// the minimum.
    pub primary_suppressed: usize,
    /// Entries suppressed so that no primary one can be computed.
    pub secondary_suppressed: usize,
    pub table: ProtectedTable,
}

/// The disclosure report of an aggregate release.
#[derive(Debug, Serialize)]
pub struct TablesReport {
    /// Always `aggregate`.
    pub level: &'static str,
    pub min_cell_count: u64,
    /// Distinct persons in the cohort.
    pub persons: u64,
    pub tables: Vec<TableReport>,
}

/// The released tables in long form, one row per entry, and the report.
pub struct TablesOutcome {
    pub table: Table,
    pub report: TablesReport,
}

/// Builds, protects and checks the frequency tables of `linked`. Each
/// table is checked with [`ProtectedTable::verify`] before anything may be
/// published.
pub fn tabulate(
    linked: &Table,
    profile: &AnonymizationSettings,
) -> Result<TablesOutcome, TablesError> {
    let min_count = MinCellCount::new(profile.min_cell_count).map_err(TablesError::MinCellCount)?;
    let dataset = tabulation_dataset(linked)?;
    let variables: Vec<&str> = dataset.columns()[1..]
        .iter()
        .map(String::as_str)
        .filter(|name| *name != COHORT)
        .collect();
    let pairs: Vec<(&str, &str)> = match variables.as_slice() {
        [] => return Err(TablesError::NoVariables),
        [only] => vec![(*only, COHORT)],
        _ => variables
            .iter()
            .enumerate()
            .flat_map(|(index, row)| {
                variables[index + 1..]
                    .iter()
                    .map(move |column| (*row, *column))
            })
            .collect(),
    };

    let mut reports = Vec::with_capacity(pairs.len());
    let mut persons = 0;
    for (row_variable, column_variable) in pairs {
        let name = format!("{row_variable} by {column_variable}");
        let table_error = |source| TablesError::Table {
            name: name.clone(),
            source,
        };
        let counts = FrequencyTable::count_distinct_persons(
            &dataset,
            PSEUDONYM,
            row_variable,
            column_variable,
        )
        .map_err(table_error)?;
        persons = counts.grand_total();
        let protected = counts.protect(min_count).map_err(table_error)?;
        protected
            .verify()
            .map_err(|violation| TablesError::Verification {
                name: name.clone(),
                violation,
            })?;
        reports.push(TableReport {
            name,
            row_variable: row_variable.to_owned(),
            column_variable: column_variable.to_owned(),
            primary_suppressed: protected.suppressed_count(SuppressionReason::Primary),
            secondary_suppressed: protected.suppressed_count(SuppressionReason::Secondary),
            table: protected,
        });
    }

    let table = long_form(&reports)?;
    Ok(TablesOutcome {
        table,
        report: TablesReport {
            level: "aggregate",
            min_cell_count: min_count.get(),
            persons,
            tables: reports,
        },
    })
}

/// Builds the data set the tables count: the pseudonym, then each variable
/// with dates cut to their year, then a constant `cohort` column when there
/// is one variable.
fn tabulation_dataset(linked: &Table) -> Result<Dataset, TablesError> {
    let pseudonyms = linked
        .column(PSEUDONYM)
        .ok_or(TablesError::MissingPseudonym)?;
    let mut names = vec![PSEUDONYM.to_owned()];
    let mut columns: Vec<Vec<Option<String>>> = vec![pseudonyms.values.clone()];
    for column in linked.columns() {
        if column.name == PSEUDONYM {
            continue;
        }
        let values = match column.kind {
            ColumnKind::Date => {
                names.push(format!("{} (year)", column.name));
                column
                    .values
                    .iter()
                    .map(|value| value.as_deref().map(|date| date.chars().take(4).collect()))
                    .collect()
            }
            ColumnKind::Text | ColumnKind::Integer => {
                names.push(column.name.clone());
                column.values.clone()
            }
        };
        columns.push(values);
    }
    if names.len() == 2 {
        names.push(COHORT.to_owned());
        columns.push(vec![Some(COHORT.to_owned()); linked.num_rows()]);
    }

    let rows = (0..linked.num_rows())
        .map(|row| columns.iter().map(|values| values[row].clone()).collect())
        .collect();
    Ok(Dataset::new(names, rows)?)
}

/// Lays the protected tables out one entry per row. The columns are
/// `table`, `entry` (`cell`, `row_total`, `column_total` or `grand_total`),
/// and the row and column variables and values. A value is missing where
/// the entry is a total over it, or for the missing category. `persons` is
/// missing when the entry is suppressed, and `suppression` is `primary`,
/// `secondary` or missing.
fn long_form(reports: &[TableReport]) -> Result<Table, TablesError> {
    let mut out = LongForm::default();
    for report in reports {
        let table = &report.table;
        for (row, row_label) in table.row_labels().iter().enumerate() {
            for (column, column_label) in table.column_labels().iter().enumerate() {
                let cell = table.cells()[row][column];
                out.push(report, "cell", row_label, column_label, cell);
            }
            out.push(
                report,
                "row_total",
                row_label,
                &None,
                table.row_totals()[row],
            );
        }
        for (column, column_label) in table.column_labels().iter().enumerate() {
            let total = table.column_totals()[column];
            out.push(report, "column_total", &None, column_label, total);
        }
        out.push(report, "grand_total", &None, &None, table.grand_total());
    }
    Ok(out.into_table()?)
}

#[derive(Default)]
struct LongForm {
    table: Vec<Option<String>>,
    entry: Vec<Option<String>>,
    row_variable: Vec<Option<String>>,
    row_value: Vec<Option<String>>,
    column_variable: Vec<Option<String>>,
    column_value: Vec<Option<String>>,
    persons: Vec<Option<String>>,
    suppression: Vec<Option<String>>,
}

impl LongForm {
    fn push(
        &mut self,
        report: &TableReport,
        entry: &str,
        row_label: &Label,
        column_label: &Label,
        cell: Cell,
    ) {
        self.table.push(Some(report.name.clone()));
        self.entry.push(Some(entry.to_owned()));
        self.row_variable.push(Some(report.row_variable.clone()));
        self.row_value.push(row_label.clone());
        self.column_variable
            .push(Some(report.column_variable.clone()));
        self.column_value.push(column_label.clone());
        let (persons, suppression) = match cell {
            Cell::Published(count) => (Some(count.to_string()), None),
            Cell::Suppressed(SuppressionReason::Primary) => (None, Some("primary".to_owned())),
            Cell::Suppressed(SuppressionReason::Secondary) => (None, Some("secondary".to_owned())),
        };
        self.persons.push(persons);
        self.suppression.push(suppression);
    }

    fn into_table(self) -> Result<Table, hap_dataset::DatasetError> {
        Table::new(vec![
            Column::new("table", ColumnKind::Text, self.table),
            Column::new("entry", ColumnKind::Text, self.entry),
            Column::new("row_variable", ColumnKind::Text, self.row_variable),
            Column::new("row_value", ColumnKind::Text, self.row_value),
            Column::new("column_variable", ColumnKind::Text, self.column_variable),
            Column::new("column_value", ColumnKind::Text, self.column_value),
            Column::new("persons", ColumnKind::Integer, self.persons),
            Column::new("suppression", ColumnKind::Text, self.suppression),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> AnonymizationSettings {
        AnonymizationSettings {
            k: 5,
            suppression_limit: 0.05,
            min_cell_count: 5,
        }
    }

    /// 23 persons: `sex` female for 20, male for 3; birth dates in 1960
    /// and 1961.
    fn linked(with_birth_date: bool) -> Table {
        let persons = 23;
        let mut columns = vec![
            Column::new(
                PSEUDONYM,
                ColumnKind::Text,
                (0..persons)
                    .map(|index| Some(format!("P{index:03}")))
                    .collect(),
            ),
            Column::new(
                "sex",
                ColumnKind::Text,
                (0..persons)
                    .map(|index| Some(if index < 20 { "female" } else { "male" }.to_owned()))
                    .collect(),
            ),
        ];
        if with_birth_date {
            columns.push(Column::new(
                "birth_date",
                ColumnKind::Date,
                (0..persons)
                    .map(|index| Some(format!("196{}-03-0{}", index % 2, 1 + index % 9)))
                    .collect(),
            ));
        }
        Table::new(columns).unwrap()
    }

    #[test]
    fn single_variable_counts_by_cohort() {
        let outcome = tabulate(&linked(false), &profile()).unwrap();
        assert_eq!(outcome.report.tables.len(), 1);
        let table = &outcome.report.tables[0];
        assert_eq!(table.name, "sex by cohort");
        assert_eq!(
            table.table.cell(Some("male"), Some(COHORT)),
            Some(Cell::Suppressed(SuppressionReason::Primary))
        );
        // With the column total published, the 20 women would give away the
        // 3 men, so their count is suppressed too.
        assert_eq!(
            table.table.cell(Some("female"), Some(COHORT)),
            Some(Cell::Suppressed(SuppressionReason::Secondary))
        );
        assert_eq!(table.table.grand_total(), Cell::Published(23));
        assert_eq!(outcome.report.persons, 23);
    }

    #[test]
    fn dates_are_tabulated_by_year() {
        let outcome = tabulate(&linked(true), &profile()).unwrap();
        let table = &outcome.report.tables[0];
        assert_eq!(table.name, "sex by birth_date (year)");
        let years: Vec<Label> = table.table.column_labels().to_vec();
        assert_eq!(years, [Some("1960".to_owned()), Some("1961".to_owned())]);
    }

    #[test]
    fn long_form_has_every_entry() {
        let outcome = tabulate(&linked(true), &profile()).unwrap();
        // Two sexes by two years: 4 cells, 2 row totals, 2 column totals and
        // the grand total.
        assert_eq!(outcome.table.num_rows(), 9);
        let persons = &outcome.table.column("persons").unwrap().values;
        let suppression = &outcome.table.column("suppression").unwrap().values;
        for (count, reason) in persons.iter().zip(suppression) {
            assert_ne!(count.is_some(), reason.is_some(), "{count:?} {reason:?}");
        }
        for count in persons.iter().flatten() {
            let count: u64 = count.parse().unwrap();
            assert!(count == 0 || count >= 5, "published {count}");
        }
    }

    #[test]
    fn missing_pseudonym_is_a_fault() {
        let table = Table::new(vec![Column::new(
            "sex",
            ColumnKind::Text,
            vec![Some("female".to_owned())],
        )])
        .unwrap();
        let error = tabulate(&table, &profile()).err().unwrap();
        assert!(matches!(error, TablesError::MissingPseudonym));
        assert!(!error.is_rejection());
    }
}
