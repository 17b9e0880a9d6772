//! The calendar periods the registries cover.

use crate::day::Day;

/// First birth year in the population spine.
pub(crate) const FIRST_BIRTH_YEAR: i32 = 1925;
/// Last year of every registry.
pub(crate) const LAST_YEAR: i32 = 2024;
/// First year of deaths, emigrations, cancer diagnoses and births.
pub(crate) const FIRST_EVENT_YEAR: i32 = 2000;
/// First year of patient-registry episodes.
pub(crate) const FIRST_PATIENT_YEAR: i32 = 2008;

/// Returns the last day any registry covers, 2024-12-31.
pub(crate) fn last_day() -> Day {
    Day::last_of_year(LAST_YEAR)
}

/// Returns the first day of deaths, emigrations, cancer diagnoses and
/// births, 2000-01-01.
pub(crate) fn first_event_day() -> Day {
    Day::first_of_year(FIRST_EVENT_YEAR)
}
