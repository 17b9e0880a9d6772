//! The consent-based colorectal cancer quality registry: surgeries.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use chrono::NaiveDate;
use hap_contracts::criteria::Registry;

use crate::csv_source::Row;
use crate::fast_hash::IntegerHashBuilder;
use crate::scan::{FileLayout, RowSink};
use crate::spine::PersonIndex;
use crate::values::{InvalidValues, is_earlier};

const PERSON_ID: usize = 0;
const SURGERY_DATE: usize = 1;
const PROCEDURE: usize = 2;
const ASA_SCORE: usize = 3;

/// ASA physical status classes 1 to 4 as the registry records them.
const ASA_RANGE: std::ops::RangeInclusive<u32> = 1..=4;

pub(crate) const LAYOUT: FileLayout = FileLayout {
    registry: Registry::Quality,
    columns: &["person_id", "surgery_date", "procedure", "asa_score"],
    person_column: PERSON_ID,
    other_identity_columns: &[],
};

/// A person's first surgery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Surgery {
    pub(crate) date: Option<NaiveDate>,
    pub(crate) procedure: Option<String>,
    pub(crate) asa_score: Option<u32>,
}

/// Collects the first surgery per person.
pub(crate) struct QualitySink {
    pub(crate) first_surgeries: HashMap<PersonIndex, Surgery, IntegerHashBuilder>,
}

impl QualitySink {
    pub(crate) fn new() -> Self {
        Self {
            first_surgeries: HashMap::with_hasher(IntegerHashBuilder),
        }
    }
}

impl RowSink for QualitySink {
    fn add(&mut self, person: PersonIndex, row: &Row<'_>, invalid: &mut InvalidValues) {
        let date = row.date(SURGERY_DATE, invalid);
        let procedure = row.text(PROCEDURE, invalid);
        let asa_score = row.integer_in(ASA_SCORE, ASA_RANGE, invalid);
        let surgery = || Surgery {
            date,
            procedure: procedure.map(str::to_owned),
            asa_score,
        };
        match self.first_surgeries.entry(person) {
            Entry::Vacant(vacant) => {
                vacant.insert(surgery());
            }
            Entry::Occupied(mut occupied) => {
                if is_earlier(date, occupied.get().date) {
                    occupied.insert(surgery());
                }
            }
        }
    }
}
