//! The delivered table: one row per cohort person, the pseudonym first and
//! then the requested variables in catalogue order.

use hap_contracts::criteria::{Registry, Variable, VariableType};
use hap_dataset::{Column, ColumnKind, Table};

use crate::error::LinkageError;
use crate::registries::birth::BirthSink;
use crate::registries::cancer::CancerSink;
use crate::registries::patient::PatientSink;
use crate::registries::quality::QualitySink;
use crate::spine::{PersonIndex, Spine};

/// Name of the first column.
pub const PSEUDONYM_COLUMN: &str = "pseudonym";

/// A catalogue variable the engine computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    Sex,
    BirthDate,
    Municipality,
    DeathDate,
    EmigrationDate,
    Icd10,
    DiagnosisDate,
    Stage,
    BirthsAsMother,
    FirstChildBirthWeight,
    Episodes,
    FirstEpisodeDate,
    SurgeryDate,
    Procedure,
    AsaScore,
}

impl Field {
    fn of(variable: &Variable) -> Option<Field> {
        let field = match (variable.registry, variable.name) {
            (Registry::Population, "sex") => Field::Sex,
            (Registry::Population, "birth_date") => Field::BirthDate,
            (Registry::Population, "municipality") => Field::Municipality,
            (Registry::Population, "death_date") => Field::DeathDate,
            (Registry::Population, "emigration_date") => Field::EmigrationDate,
            (Registry::Cancer, "icd10") => Field::Icd10,
            (Registry::Cancer, "diagnosis_date") => Field::DiagnosisDate,
            (Registry::Cancer, "stage") => Field::Stage,
            (Registry::Birth, "births_as_mother") => Field::BirthsAsMother,
            (Registry::Birth, "first_child_birth_weight_g") => Field::FirstChildBirthWeight,
            (Registry::Patient, "episodes") => Field::Episodes,
            (Registry::Patient, "first_episode_date") => Field::FirstEpisodeDate,
            (Registry::Quality, "surgery_date") => Field::SurgeryDate,
            (Registry::Quality, "procedure") => Field::Procedure,
            (Registry::Quality, "asa_score") => Field::AsaScore,
            _ => return None,
        };
        Some(field)
    }
}

/// Values from the registry files the request reads.
pub(crate) struct LinkedValues<'a> {
    pub(crate) spine: &'a Spine,
    pub(crate) cancer: &'a CancerSink<'a>,
    pub(crate) birth: Option<&'a BirthSink>,
    pub(crate) patient: Option<&'a PatientSink>,
    pub(crate) quality: Option<&'a QualitySink>,
}

impl LinkedValues<'_> {
    /// Returns the value of `field` for `person`. Counts are 0 for a person without
    /// rows in a registry that was read; every other value is then missing.
    fn value(&self, field: Field, person: PersonIndex) -> Option<String> {
        let population = &self.spine.person(person).values;
        let diagnosis = self.cancer.first_diagnoses.get(&person);
        let births = || self.birth.and_then(|sink| sink.births.get(&person));
        let surgery = || {
            self.quality
                .and_then(|sink| sink.first_surgeries.get(&person))
        };
        match field {
            Field::Sex => population.sex.map(|sex| sex.as_str().to_owned()),
            Field::BirthDate => population.birth_date.map(|date| date.to_string()),
            Field::Municipality => population.municipality.map(|code| code.to_string()),
            Field::DeathDate => population.death_date.map(|date| date.to_string()),
            Field::EmigrationDate => population.emigration_date.map(|date| date.to_string()),
            Field::Icd10 => diagnosis.map(|diagnosis| diagnosis.icd10.clone()),
            Field::DiagnosisDate => diagnosis
                .and_then(|diagnosis| diagnosis.date)
                .map(|date| date.to_string()),
            Field::Stage => diagnosis
                .and_then(|diagnosis| diagnosis.stage)
                .map(|stage| stage.as_str().to_owned()),
            Field::BirthsAsMother => self
                .birth
                .map(|_| births().map_or(0, |births| births.count).to_string()),
            Field::FirstChildBirthWeight => births()
                .and_then(|births| births.first_weight_g)
                .map(|weight| weight.to_string()),
            Field::Episodes => self.patient.map(|sink| sink.get(person).count.to_string()),
            Field::FirstEpisodeDate => self
                .patient
                .and_then(|sink| sink.get(person).first_start)
                .map(|date| date.to_string()),
            Field::SurgeryDate => surgery()
                .and_then(|surgery| surgery.date)
                .map(|date| date.to_string()),
            Field::Procedure => surgery().and_then(|surgery| surgery.procedure.clone()),
            Field::AsaScore => surgery()
                .and_then(|surgery| surgery.asa_score)
                .map(|score| score.to_string()),
        }
    }
}

fn column_kind(kind: VariableType) -> ColumnKind {
    match kind {
        VariableType::Text => ColumnKind::Text,
        VariableType::Integer => ColumnKind::Integer,
        VariableType::Date => ColumnKind::Date,
    }
}

/// Builds the table for `cohort`, given as (pseudonym, person) pairs in
/// row order.
pub(crate) fn build_table(
    cohort: &[(String, PersonIndex)],
    variables: &[&'static Variable],
    values: &LinkedValues<'_>,
) -> Result<Table, LinkageError> {
    let mut columns = Vec::with_capacity(variables.len() + 1);
    columns.push(Column::new(
        PSEUDONYM_COLUMN,
        ColumnKind::Text,
        cohort
            .iter()
            .map(|(pseudonym, _)| Some(pseudonym.clone()))
            .collect(),
    ));
    for variable in variables {
        let field = Field::of(variable).ok_or(LinkageError::UnsupportedVariable {
            registry: variable.registry,
            name: variable.name,
        })?;
        let cells = cohort
            .iter()
            .map(|(_, person)| values.value(field, *person))
            .collect();
        columns.push(Column::new(
            variable.name,
            column_kind(variable.kind),
            cells,
        ));
    }
    Ok(Table::new(columns)?)
}

#[cfg(test)]
mod tests {
    use hap_contracts::criteria::catalogue;

    use super::*;

    #[test]
    fn every_catalogue_variable_has_a_field() {
        for variable in catalogue() {
            assert!(Field::of(variable).is_some(), "{}", variable.name);
        }
    }

    #[test]
    fn fields_are_distinct() {
        let fields: Vec<Field> = catalogue().iter().filter_map(Field::of).collect();
        for (index, field) in fields.iter().enumerate() {
            assert!(!fields[..index].contains(field), "{field:?}");
        }
    }
}
