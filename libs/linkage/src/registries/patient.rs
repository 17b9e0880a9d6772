//! The patient registry: hospital episodes per person.

use chrono::NaiveDate;
use hap_contracts::criteria::Registry;

use crate::csv_source::Row;
use crate::scan::{FileLayout, RowSink};
use crate::spine::PersonIndex;
use crate::values::{InvalidValues, is_earlier};

const PERSON_ID: usize = 0;
const EPISODE_START: usize = 1;

pub(crate) const LAYOUT: FileLayout = FileLayout {
    registry: Registry::Patient,
    columns: &["person_id", "episode_start", "episode_end", "icd10"],
    person_column: PERSON_ID,
    other_identity_columns: &[],
};

/// A person's episodes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Episodes {
    /// Distinct episode rows, including rows without a valid start date.
    pub(crate) count: u32,
    pub(crate) first_start: Option<NaiveDate>,
}

/// Collects episodes per person. Nearly every person has episodes, so the
/// sink keeps a dense table indexed by person.
pub(crate) struct PatientSink {
    pub(crate) episodes: Vec<Episodes>,
}

impl PatientSink {
    pub(crate) fn new(persons: usize) -> Self {
        Self {
            episodes: vec![Episodes::default(); persons],
        }
    }

    pub(crate) fn get(&self, person: PersonIndex) -> Episodes {
        self.episodes
            .get(person as usize)
            .copied()
            .unwrap_or_default()
    }
}

impl RowSink for PatientSink {
    fn add(&mut self, person: PersonIndex, row: &Row<'_>, invalid: &mut InvalidValues) {
        let start = row.date(EPISODE_START, invalid);
        if let Some(episodes) = self.episodes.get_mut(person as usize) {
            episodes.count = episodes.count.saturating_add(1);
            if is_earlier(start, episodes.first_start) {
                episodes.first_start = start;
            }
        }
    }
}
