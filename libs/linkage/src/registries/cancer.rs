//! The cancer registry, which selects the cohort and gives its diagnosis.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use hap_contracts::criteria::{CohortCriteria, Registry};

use crate::csv_source::Row;
use crate::fast_hash::IntegerHashBuilder;
use crate::scan::{FileLayout, RowSink};
use crate::spine::PersonIndex;
use crate::values::{InvalidValues, is_earlier};

const PERSON_ID: usize = 0;
const ICD10: usize = 1;
const DIAGNOSIS_DATE: usize = 2;
const STAGE: usize = 3;

pub(crate) const LAYOUT: FileLayout = FileLayout {
    registry: Registry::Cancer,
    columns: &["person_id", "icd10", "diagnosis_date", "stage"],
    person_column: PERSON_ID,
    other_identity_columns: &[],
};

/// Tumour stage as the cancer registry records it, I to IV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    One,
    Two,
    Three,
    Four,
}

impl Stage {
    fn parse(text: &[u8]) -> Option<Stage> {
        match text {
            b"I" => Some(Stage::One),
            b"II" => Some(Stage::Two),
            b"III" => Some(Stage::Three),
            b"IV" => Some(Stage::Four),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Stage::One => "I",
            Stage::Two => "II",
            Stage::Three => "III",
            Stage::Four => "IV",
        }
    }
}

/// A person's first diagnosis that matches the cohort criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Diagnosis {
    pub(crate) icd10: String,
    pub(crate) date: Option<NaiveDate>,
    pub(crate) stage: Option<Stage>,
}

/// Collects, per person, the first diagnosis matching the criteria. The
/// persons with one are the cohort.
pub(crate) struct CancerSink<'a> {
    criteria: &'a CohortCriteria,
    pub(crate) first_diagnoses: HashMap<PersonIndex, Diagnosis, IntegerHashBuilder>,
}

impl<'a> CancerSink<'a> {
    pub(crate) fn new(criteria: &'a CohortCriteria) -> Self {
        Self {
            criteria,
            first_diagnoses: HashMap::with_hasher(IntegerHashBuilder),
        }
    }
}

impl RowSink for CancerSink<'_> {
    fn add(&mut self, person: PersonIndex, row: &Row<'_>, invalid: &mut InvalidValues) {
        let icd10 = row.text(ICD10, invalid);
        let date = row.date(DIAGNOSIS_DATE, invalid);
        let stage = row.parsed(STAGE, invalid, Stage::parse);
        let Some(icd10) = icd10.filter(|code| self.criteria.matches(code, date)) else {
            return;
        };
        let diagnosis = || Diagnosis {
            icd10: icd10.to_owned(),
            date,
            stage,
        };
        match self.first_diagnoses.entry(person) {
            Entry::Vacant(vacant) => {
                vacant.insert(diagnosis());
            }
            Entry::Occupied(mut occupied) => {
                if is_earlier(date, occupied.get().date) {
                    occupied.insert(diagnosis());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_parses_roman_numerals() {
        for stage in [Stage::One, Stage::Two, Stage::Three, Stage::Four] {
            assert_eq!(Stage::parse(stage.as_str().as_bytes()), Some(stage));
        }
        assert_eq!(Stage::parse(b"V"), None);
        assert_eq!(Stage::parse(b"2"), None);
        assert_eq!(Stage::parse(b"iv"), None);
    }
}
