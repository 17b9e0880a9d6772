//! The medical birth registry: the births each person gave as mother.

use std::collections::HashMap;

use chrono::NaiveDate;
use hap_contracts::criteria::Registry;

use crate::csv_source::Row;
use crate::fast_hash::IntegerHashBuilder;
use crate::scan::{FileLayout, RowSink};
use crate::spine::PersonIndex;
use crate::values::{InvalidValues, is_earlier};

const MOTHER_ID: usize = 0;
const CHILD_ID: usize = 1;
const BIRTH_DATE: usize = 2;
const BIRTH_WEIGHT_G: usize = 3;

/// Birth weights outside 1 g to 9999 g are recording errors.
const BIRTH_WEIGHT_RANGE_G: std::ops::RangeInclusive<u32> = 1..=9_999;

/// Rows link on the mother. No catalogue variable describes the child, so
/// `child_id` is validated for the report but not linked.
pub(crate) const LAYOUT: FileLayout = FileLayout {
    registry: Registry::Birth,
    columns: &[
        "mother_id",
        "child_id",
        "birth_date",
        "birth_weight_g",
        "gestational_age_weeks",
    ],
    person_column: MOTHER_ID,
    other_identity_columns: &[CHILD_ID],
};

/// The births of one mother.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Births {
    /// Children born; twins count as two.
    pub(crate) count: u32,
    /// Date of the first-born child; births without a valid date cannot be
    /// the first.
    pub(crate) first_date: Option<NaiveDate>,
    pub(crate) first_weight_g: Option<u32>,
}

/// Collects births per mother.
pub(crate) struct BirthSink {
    pub(crate) births: HashMap<PersonIndex, Births, IntegerHashBuilder>,
}

impl BirthSink {
    pub(crate) fn new() -> Self {
        Self {
            births: HashMap::with_hasher(IntegerHashBuilder),
        }
    }
}

impl RowSink for BirthSink {
    fn add(&mut self, person: PersonIndex, row: &Row<'_>, invalid: &mut InvalidValues) {
        let date = row.date(BIRTH_DATE, invalid);
        let weight = row.integer_in(BIRTH_WEIGHT_G, BIRTH_WEIGHT_RANGE_G, invalid);
        let births = self.births.entry(person).or_default();
        births.count = births.count.saturating_add(1);
        if is_earlier(date, births.first_date) {
            births.first_date = date;
            births.first_weight_g = weight;
        }
    }
}
