//! The population spine: persons, their deaths, emigrations and former
//! D-numbers, and `population.csv`.

use std::path::Path;

use rand::Rng;

use crate::day::Day;
use crate::error::SynthError;
use crate::identity_number::{NumberAllocator, NumberKind};
use crate::municipality::{MUNICIPALITIES, Municipality};
use crate::period::{self, FIRST_BIRTH_YEAR, FIRST_EVENT_YEAR, LAST_YEAR};
use crate::person::{FormerDnumber, Person, Sex};
use crate::registry_writer::RegistryWriter;
use crate::report::{FileReport, RegistryFile, SpineSummary};
use crate::sampling::{SynthRng, WeightedTable, uniform_day};

/// Residents by 5-year age group (0-4, 5-9, ..., 95-99) in thousands: an
/// approximation of Norway's age pyramid around 2024.
const AGE_GROUP_THOUSANDS: [u32; 20] = [
    270, 300, 320, 325, 345, 370, 385, 375, 360, 365, 370, 355, 320, 290, 270, 220, 130, 70, 30, 8,
];
/// Share of females among persons aged 80 or more; below 80 it is 0.5.
const FEMALE_SHARE_OLD: f64 = 0.58;
/// Probability that a person emigrates during 2000-2024.
const EMIGRATION_PROBABILITY: f64 = 0.03;
/// Probability that a person born before 2000 first had a D-number. Those
/// born from 2000 on never do, so about 2% of all persons have one.
const DNUMBER_PROBABILITY: f64 = 0.028;
/// Age at which a D-number holder gets an ordinary number, at the earliest.
const DNUMBER_MIN_AGE_AT_REPLACEMENT: i32 = 18;

/// Generates the persons of the spine. The attributes come from
/// `rng`, the identity numbers from `numbers` drawn with `number_rng`.
pub(crate) fn generate_spine(
    persons: usize,
    rng: &mut SynthRng,
    number_rng: &mut SynthRng,
    numbers: &mut NumberAllocator,
) -> Result<Vec<Person>, SynthError> {
    // Ages on the last day of the period, 0 to 99, so birth years 1925-2024.
    let oldest = LAST_YEAR - FIRST_BIRTH_YEAR;
    let ages = WeightedTable::new((0..=oldest).map(|age| {
        let group = usize::try_from(age / 5).unwrap_or(0);
        (
            age,
            AGE_GROUP_THOUSANDS[group.min(AGE_GROUP_THOUSANDS.len() - 1)],
        )
    }));
    let municipalities = WeightedTable::new(MUNICIPALITIES.iter().map(|m| (m, m.population)));

    let mut spine = Vec::with_capacity(persons);
    for _ in 0..persons {
        let age_at_end = ages.sample(rng).copied().unwrap_or(40);
        let birth_year = LAST_YEAR - age_at_end;
        let birth = uniform_day(
            rng,
            Day::first_of_year(birth_year),
            Day::last_of_year(birth_year),
        )
        .unwrap_or_else(|| Day::first_of_year(birth_year));
        let female_share = if age_at_end >= 80 {
            FEMALE_SHARE_OLD
        } else {
            0.5
        };
        let sex = if rng.gen_bool(female_share) {
            Sex::Female
        } else {
            Sex::Male
        };
        let municipality: &'static Municipality = municipalities
            .sample(rng)
            .copied()
            .unwrap_or(&MUNICIPALITIES[0]);

        let death = draw_death(rng, birth);
        let emigration = draw_emigration(rng, birth, death);
        let id = numbers.issue(number_rng, birth, sex, NumberKind::Ordinary)?;
        let mut person = Person {
            id,
            sex,
            birth,
            municipality,
            death,
            emigration,
            former_dnumber: None,
        };
        if let Some(replaced_on) = draw_dnumber_replacement(rng, &person) {
            let number = numbers.issue(number_rng, birth, sex, NumberKind::DNumber)?;
            person.former_dnumber = Some(FormerDnumber {
                number,
                replaced_on,
            });
        }
        spine.push(person);
    }
    Ok(spine)
}

/// Annual probability of death at `age`: a Gompertz-Makeham curve near
/// Norwegian mortality (about 0.1% at 40, 0.8% at 60, 5% at 80), plus
/// infant mortality in the first year.
fn annual_death_probability(age: i32) -> f64 {
    let infant = if age == 0 { 0.002 } else { 0.0 };
    let gompertz = 2.5e-5 * (0.095 * f64::from(age)).exp();
    (0.0002 + gompertz + infant).min(0.5)
}

/// Draws a death during 2000-2024, year by year from the later of 2000 and
/// the birth year.
fn draw_death(rng: &mut SynthRng, birth: Day) -> Option<Day> {
    let birth_year = birth.year();
    for year in birth_year.max(FIRST_EVENT_YEAR)..=LAST_YEAR {
        if rng.gen_bool(annual_death_probability(year - birth_year)) {
            let first = Day::first_of_year(year).max(birth.plus(1));
            return uniform_day(rng, first, Day::last_of_year(year));
        }
    }
    None
}

/// Draws an emigration after birth, from 2000 on and before any death.
fn draw_emigration(rng: &mut SynthRng, birth: Day, death: Option<Day>) -> Option<Day> {
    if !rng.gen_bool(EMIGRATION_PROBABILITY) {
        return None;
    }
    let first = birth.plus(1).max(period::first_event_day());
    let last = death.map_or(period::last_day(), |death| death.plus(-1));
    uniform_day(rng, first, last)
}

/// Draws the day a former D-number was replaced by the ordinary number, or
/// `None` if the person never had a D-number. The day falls in the
/// registries' period, so some registry records refer to the D-number.
fn draw_dnumber_replacement(rng: &mut SynthRng, person: &Person) -> Option<Day> {
    if person.birth.year() >= FIRST_EVENT_YEAR || !rng.gen_bool(DNUMBER_PROBABILITY) {
        return None;
    }
    let first = person
        .birth
        .plus_years(DNUMBER_MIN_AGE_AT_REPLACEMENT)
        .max(period::first_event_day());
    uniform_day(rng, first, person.last_observed_day())
}

/// Writes `population.csv` and returns its report and the spine counts.
pub(crate) fn write_population(
    folder: &Path,
    spine: &[Person],
) -> Result<(FileReport, SpineSummary), SynthError> {
    let mut writer = RegistryWriter::create(folder, RegistryFile::Population, None)?;
    let mut summary = SpineSummary::default();
    for person in spine {
        summary.females += u64::from(person.sex == Sex::Female);
        summary.deaths += u64::from(person.death.is_some());
        summary.emigrations += u64::from(person.emigration.is_some());
        summary.former_dnumbers += u64::from(person.former_dnumber.is_some());
        writer.write(vec![
            person.id.to_text(),
            person.sex.as_str().to_string(),
            person.birth.to_string(),
            person.municipality.number.to_string(),
            optional_day(person.death),
            optional_day(person.emigration),
            person
                .former_dnumber
                .map(|former| former.number.to_text())
                .unwrap_or_default(),
        ])?;
    }
    Ok((writer.finish()?, summary))
}

fn optional_day(day: Option<Day>) -> String {
    day.map(|day| day.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn death_probability_rises_with_age() {
        let ages = [1, 20, 40, 60, 80, 95];
        for pair in ages.windows(2) {
            assert!(annual_death_probability(pair[0]) < annual_death_probability(pair[1]));
        }
        assert!(annual_death_probability(110) <= 0.5);
    }

    #[test]
    fn death_probability_near_norwegian_mortality() {
        let at_80 = annual_death_probability(80);
        assert!((0.03..0.08).contains(&at_80), "{at_80}");
        let at_40 = annual_death_probability(40);
        assert!((0.0005..0.003).contains(&at_40), "{at_40}");
    }
}
