//! Descriptors of a registry folder in the layout the linkage service reads
//! and `hapctl synth` writes: `population.csv` as the spine, its
//! `former_dnumber` column as the identity history, and one CSV file per
//! registry.

use std::path::Path;

use hap_contracts::criteria::VariableType;

use crate::columnar::descriptor::{
    Encoding, Format, HistoryDescriptor, RegistryDescriptor, SourceFile, SpineDescriptor,
    VariableSpec,
};

fn csv(dir: &Path, name: &str) -> SourceFile {
    SourceFile {
        path: dir.join(name),
        format: Format::Csv,
        delimiter: None,
        encoding: Encoding::Utf8,
    }
}

fn variables(specs: &[(&str, VariableType)]) -> Vec<VariableSpec> {
    specs
        .iter()
        .map(|(name, kind)| VariableSpec {
            name: (*name).to_owned(),
            kind: *kind,
        })
        .collect()
}

/// Name, identifier columns, variables and year variable of one registry file.
type Layout = (
    &'static str,
    &'static [&'static str],
    Vec<VariableSpec>,
    Option<&'static str>,
);

/// Returns the spine and the registries whose files exist in `dir`.
pub fn registry_folder(dir: &Path) -> (SpineDescriptor, Vec<RegistryDescriptor>) {
    use VariableType::{Date, Integer, Text};
    let spine = SpineDescriptor {
        file: csv(dir, "population.csv"),
        identifier: "person_id".to_owned(),
        sex: Some("sex".to_owned()),
        birth_year: None,
        birth_date: Some("birth_date".to_owned()),
        death_date: Some("death_date".to_owned()),
        emigration_date: Some("emigration_date".to_owned()),
        history: Some(HistoryDescriptor {
            file: csv(dir, "population.csv"),
            from: "former_dnumber".to_owned(),
            to: "person_id".to_owned(),
        }),
    };
    let layouts: [Layout; 4] = [
        (
            "cancer",
            &["person_id"],
            variables(&[("icd10", Text), ("diagnosis_date", Date), ("stage", Text)]),
            Some("diagnosis_date"),
        ),
        (
            "birth",
            &["mother_id", "child_id"],
            variables(&[
                ("birth_date", Date),
                ("birth_weight_g", Integer),
                ("gestational_age_weeks", Integer),
            ]),
            Some("birth_date"),
        ),
        (
            "patient",
            &["person_id"],
            variables(&[
                ("episode_start", Date),
                ("episode_end", Date),
                ("icd10", Text),
            ]),
            Some("episode_start"),
        ),
        (
            "quality",
            &["person_id"],
            variables(&[
                ("surgery_date", Date),
                ("procedure", Text),
                ("asa_score", Integer),
            ]),
            Some("surgery_date"),
        ),
    ];
    let registries = layouts
        .into_iter()
        .filter(|(name, ..)| dir.join(format!("{name}.csv")).is_file())
        .map(|(name, identifiers, variables, year)| RegistryDescriptor {
            name: name.to_owned(),
            file: csv(dir, &format!("{name}.csv")),
            identifiers: identifiers.iter().map(|id| (*id).to_owned()).collect(),
            variables,
            year: year.map(str::to_owned),
        })
        .collect();
    (spine, registries)
}
