//! The disclosure-control profile applied to a linked dataset: which columns
//! are quasi-identifiers, with which hierarchy, and what the release keeps.

use hap_contracts::application::DisclosureLevel;
use hap_dataset::{Column, ColumnKind, Table};
use hap_disclosure::{
    Dataset, DisclosureError, Hierarchy, QuasiIdentifier, Release, Settings, Violation, anonymize,
    verify_release,
};

use crate::settings::AnonymizationSettings;

/// The pseudonym column the linkage writes.
const PSEUDONYM: &str = "pseudonym";

/// Columns that single out a person in combination with outside knowledge,
/// and how each is generalised.
enum QuasiKind {
    BirthDate,
    Date,
    Municipality,
    Category,
}

fn quasi_kind(column: &str) -> Option<QuasiKind> {
    match column {
        "birth_date" => Some(QuasiKind::BirthDate),
        "death_date" | "emigration_date" | "diagnosis_date" | "first_episode_date"
        | "surgery_date" => Some(QuasiKind::Date),
        "municipality" => Some(QuasiKind::Municipality),
        "sex" => Some(QuasiKind::Category),
        _ => None,
    }
}

/// The reason a dataset could not be released.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("{0}")]
    Disclosure(#[from] DisclosureError),
    #[error("no hierarchy could be built for column `{column}`: {source}")]
    Hierarchy {
        column: String,
        source: hap_disclosure::HierarchyError,
    },
    #[error("the released data failed the independent check, so it was withheld: {violation}")]
    Verification {
        violation: Violation,
        /// The report of the withheld release, for the case handler.
        report: Box<hap_disclosure::Report>,
    },
    #[error(
        "disclosure level `{0}` is not supported for microdata; request pseudonymous or anonymous microdata"
    )]
    UnsupportedLevel(&'static str),
    #[error("the released table is invalid: {0}")]
    Table(#[from] hap_dataset::DatasetError),
}

/// The released table and the disclosure report.
pub struct Outcome {
    pub table: Table,
    pub release: Release,
}

/// Generalises and suppresses until every group of quasi-identifiers contains
/// at least k records, then checks the result independently with
/// [`verify`] before anything may be published.
pub fn apply(
    table: &Table,
    level: DisclosureLevel,
    profile: &AnonymizationSettings,
) -> Result<Outcome, ProfileError> {
    apply_altered(table, level, profile, |_| {})
}

/// Does what [`apply`] does, with `alter` applied to the release between
/// the search and the independent check. Tests pass a faulty `alter` to
/// prove that the check withholds a release that breaks the profile.
pub fn apply_altered(
    table: &Table,
    level: DisclosureLevel,
    profile: &AnonymizationSettings,
    alter: fn(&mut Release),
) -> Result<Outcome, ProfileError> {
    let prepared = prepare(table, level, profile)?;
    let mut release = anonymize(
        &prepared.dataset,
        &prepared.quasi_identifiers,
        &prepared.settings,
    )?;
    alter(&mut release);
    verify(&prepared, &release)?;
    let table = to_table(table, &release)?;
    Ok(Outcome { table, release })
}

/// The input of one anonymisation: the records, the quasi-identifiers with
/// their hierarchies, and the privacy model.
pub struct Prepared {
    pub dataset: Dataset,
    pub quasi_identifiers: Vec<QuasiIdentifier>,
    pub settings: Settings,
}

/// Builds the data set, the hierarchies and the settings for `level`.
pub fn prepare(
    table: &Table,
    level: DisclosureLevel,
    profile: &AnonymizationSettings,
) -> Result<Prepared, ProfileError> {
    let identifying = match level {
        DisclosureLevel::Pseudonymous => vec![],
        DisclosureLevel::Anonymous => vec![PSEUDONYM.to_owned()],
        DisclosureLevel::Aggregate => return Err(ProfileError::UnsupportedLevel("aggregate")),
    };

    let names: Vec<String> = table.columns().iter().map(|c| c.name.clone()).collect();
    let rows: Vec<Vec<Option<String>>> = (0..table.num_rows())
        .map(|row| {
            table
                .columns()
                .iter()
                .map(|c| c.values[row].clone())
                .collect()
        })
        .collect();
    let dataset = Dataset::new(names, rows)?;

    let mut quasi_identifiers = Vec::new();
    for column in table.columns() {
        let Some(kind) = quasi_kind(&column.name) else {
            continue;
        };
        let values = column.values.iter().flatten().map(String::as_str);
        let hierarchy = match kind {
            QuasiKind::BirthDate => Hierarchy::birth_dates(values),
            QuasiKind::Date => Hierarchy::dates(values),
            QuasiKind::Municipality => Hierarchy::municipalities(values),
            QuasiKind::Category => {
                let mut distinct: Vec<&str> = values.collect();
                distinct.sort_unstable();
                distinct.dedup();
                Hierarchy::from_rows(
                    distinct
                        .into_iter()
                        .map(|value| vec![value.to_owned(), "*".to_owned()])
                        .collect(),
                )
            }
        }
        .map_err(|source| ProfileError::Hierarchy {
            column: column.name.clone(),
            source,
        })?;
        quasi_identifiers.push(QuasiIdentifier::new(column.name.clone(), hierarchy));
    }

    let mut settings = Settings::k_anonymity(profile.k);
    settings.suppression_limit = profile.suppression_limit;
    settings.identifying = identifying;
    Ok(Prepared {
        dataset,
        quasi_identifiers,
        settings,
    })
}

/// Checks a release against the profile with the independent checker
/// [`verify_release`], on the strings of the input and the release: the
/// suppression limit, k-anonymity and any l-diversity or t-closeness. A
/// release that fails carries its report in the error.
pub fn verify(prepared: &Prepared, release: &Release) -> Result<(), ProfileError> {
    let qi_names: Vec<&str> = prepared
        .quasi_identifiers
        .iter()
        .map(|q| q.column.as_str())
        .collect();
    verify_release(
        &release.data,
        &prepared.dataset,
        &qi_names,
        &prepared.settings,
    )
    .map_err(|violation| ProfileError::Verification {
        violation,
        report: Box::new(release.report.clone()),
    })
}

/// Converts the released records back to a typed table. A generalised
/// column becomes text (`2016-Q3`); the others keep their type.
fn to_table(input: &Table, release: &Release) -> Result<Table, ProfileError> {
    let data = &release.data;
    let columns = data
        .columns()
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let original = input.column(name).map_or(ColumnKind::Text, |c| c.kind);
            let generalised = release
                .report
                .quasi_identifiers
                .iter()
                .any(|chosen| chosen.column == *name && chosen.level > 0);
            let kind = if generalised {
                ColumnKind::Text
            } else {
                original
            };
            let values = data.rows().iter().map(|row| row[index].clone()).collect();
            Column::new(name.clone(), kind, values)
        })
        .collect();
    Ok(Table::new(columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hap_disclosure::verify_k;

    /// 40 persons over two sexes, four birth years and two municipalities.
    fn linked() -> Table {
        let mut pseudonyms = Vec::new();
        let mut sexes = Vec::new();
        let mut births = Vec::new();
        let mut municipalities = Vec::new();
        for index in 0..40 {
            pseudonyms.push(Some(format!("p{index:02}")));
            sexes.push(Some(
                if index % 2 == 0 { "female" } else { "male" }.to_owned(),
            ));
            births.push(Some(format!(
                "19{}-0{}-1{}",
                60 + index % 4,
                1 + index % 9,
                index % 10
            )));
            municipalities.push(Some(
                if index % 3 == 0 { "0301" } else { "4601" }.to_owned(),
            ));
        }
        Table::new(vec![
            Column::new("pseudonym", ColumnKind::Text, pseudonyms),
            Column::new("sex", ColumnKind::Text, sexes),
            Column::new("birth_date", ColumnKind::Date, births),
            Column::new("municipality", ColumnKind::Text, municipalities),
        ])
        .unwrap()
    }

    fn profile() -> AnonymizationSettings {
        AnonymizationSettings {
            k: 5,
            suppression_limit: 0.05,
            min_cell_count: 5,
        }
    }

    #[test]
    fn pseudonymous_release_is_k_anonymous() {
        let outcome = apply(&linked(), DisclosureLevel::Pseudonymous, &profile()).unwrap();
        let released = &outcome.release.data;
        verify_k(released, &["sex", "birth_date", "municipality"], 5).unwrap();
        assert!(outcome.release.report.k_reached >= 5);
        assert!(outcome.table.column("pseudonym").is_some());
    }

    #[test]
    fn anonymous_release_drops_pseudonym() {
        let outcome = apply(&linked(), DisclosureLevel::Anonymous, &profile()).unwrap();
        assert!(outcome.table.column("pseudonym").is_none());
    }

    #[test]
    fn generalised_birth_date_becomes_text() {
        let outcome = apply(&linked(), DisclosureLevel::Pseudonymous, &profile()).unwrap();
        let chosen = outcome
            .release
            .report
            .quasi_identifiers
            .iter()
            .find(|q| q.column == "birth_date")
            .unwrap();
        assert!(chosen.level > 0);
        let birth = outcome.table.column("birth_date").unwrap();
        assert_eq!(birth.kind, ColumnKind::Text);
        let full_dates = birth
            .values
            .iter()
            .flatten()
            .filter(|v| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").is_ok())
            .count();
        assert_eq!(full_dates, 0);
    }

    #[test]
    fn tampered_release_fails_verification_with_report() {
        let prepared = prepare(&linked(), DisclosureLevel::Pseudonymous, &profile()).unwrap();
        let mut release = anonymize(
            &prepared.dataset,
            &prepared.quasi_identifiers,
            &prepared.settings,
        )
        .unwrap();
        assert!(verify(&prepared, &release).is_ok());

        // One record with its original birth date makes a group of one.
        let mut rows = release.data.rows().to_vec();
        let columns = release.data.columns().to_vec();
        let birth = columns.iter().position(|c| c == "birth_date").unwrap();
        rows[0][birth] = prepared.dataset.rows()[0][birth].clone();
        release.data = Dataset::new(columns, rows).unwrap();

        let error = verify(&prepared, &release).err().unwrap();
        match error {
            ProfileError::Verification { violation, report } => {
                assert!(
                    matches!(violation, Violation::GroupTooSmall { smallest: 1, .. }),
                    "{violation:?}"
                );
                assert_eq!(report.settings.k, 5);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn aggregate_level_rejected() {
        let error = apply(&linked(), DisclosureLevel::Aggregate, &profile())
            .err()
            .unwrap();
        assert!(matches!(error, ProfileError::UnsupportedLevel("aggregate")));
    }
}
