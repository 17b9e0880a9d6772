//! The medical birth registry: births to women of the spine, and
//! `birth.csv`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use rand::Rng;

use crate::day::Day;
use crate::dirt::DirtInjector;
use crate::error::SynthError;
use crate::identity_number::{IdNumber, NumberAllocator, NumberKind};
use crate::period::{FIRST_BIRTH_YEAR, FIRST_EVENT_YEAR};
use crate::person::{Person, Sex};
use crate::registry_writer::RegistryWriter;
use crate::report::{FileReport, RegistryFile};
use crate::sampling::{SynthRng, normal};

/// Youngest and oldest age of a mother at birth.
const MOTHER_MIN_AGE: i32 = 16;
const MOTHER_MAX_AGE: i32 = 48;
/// Mean and standard deviation of the mother's age at birth, in years.
const MOTHER_AGE_MEAN: f64 = 30.5;
const MOTHER_AGE_SD: f64 = 5.2;
/// Minimum days between two deliveries of one mother.
const MIN_DAYS_BETWEEN_DELIVERIES: i32 = 300;
/// Share of spine children born 2000-2024 without a birth record (born
/// abroad, or whose mother is not in the spine).
const NOT_BORN_HERE_SHARE: f64 = 0.07;
/// Share of deliveries that are twins.
const TWIN_SHARE: f64 = 0.016;
/// Attempts to find a mother for one child before the child is left
/// without a birth record.
const MOTHER_ATTEMPTS: usize = 40;

/// Gestational age in weeks: mean and standard deviation for singletons and
/// twins, clipped to 22-44.
const GESTATION_SINGLETON: (f64, f64) = (39.5, 2.0);
const GESTATION_TWINS: (f64, f64) = (36.0, 2.5);
const GESTATION_RANGE: (f64, f64) = (22.0, 44.0);
/// Birth weight in grams: mean at 39.5 weeks, change per week of gestation,
/// the spread left at a given gestational age, and the twin deficit. With a
/// gestation spread of 2 weeks, the marginal spread is about 550 g.
const WEIGHT_MEAN: f64 = 3500.0;
const WEIGHT_PER_WEEK: f64 = 170.0;
const WEIGHT_RESIDUAL_SD: f64 = 430.0;
const WEIGHT_TWIN_DEFICIT: f64 = 400.0;
const WEIGHT_RANGE: (f64, f64) = (300.0, 6500.0);

/// One child of a delivery.
#[derive(Debug, Clone)]
pub(crate) struct Child {
    pub(crate) id: IdNumber,
    pub(crate) weight_grams: u32,
}

/// One delivery: a singleton or twins.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    /// Index of the mother in the spine.
    pub(crate) mother: usize,
    pub(crate) day: Day,
    pub(crate) gestational_weeks: u32,
    pub(crate) children: Vec<Child>,
}

/// The deliveries and how many children are not in the spine.
pub(crate) struct BirthRegistry {
    pub(crate) deliveries: Vec<Delivery>,
    pub(crate) children_outside_spine: u64,
}

/// Draws a delivery for most spine persons born 2000-2024, with a mother
/// from the spine who is 16-48 years old and observed on that day. The
/// second twin is the next spine person born that day, or a new number
/// outside the spine when there is none.
pub(crate) fn generate_births(
    rng: &mut SynthRng,
    spine: &[Person],
    numbers: &mut NumberAllocator,
) -> Result<BirthRegistry, SynthError> {
    let women_by_birth_year = women_by_birth_year(spine);
    let mut children_by_day: BTreeMap<Day, Vec<usize>> = BTreeMap::new();
    for (index, person) in spine.iter().enumerate() {
        if person.birth.year() >= FIRST_EVENT_YEAR {
            children_by_day.entry(person.birth).or_default().push(index);
        }
    }

    let mut registry = BirthRegistry {
        deliveries: Vec::new(),
        children_outside_spine: 0,
    };
    let mut last_delivery: HashMap<usize, Day> = HashMap::new();
    for (day, children) in children_by_day {
        let mut pending = children.into_iter();
        while let Some(first_child) = pending.next() {
            if rng.gen_bool(NOT_BORN_HERE_SHARE) {
                continue;
            }
            let Some(mother) = draw_mother(rng, spine, &women_by_birth_year, &last_delivery, day)
            else {
                continue;
            };
            last_delivery.insert(mother, day);

            let twins = rng.gen_bool(TWIN_SHARE);
            let mut ids = vec![spine[first_child].id];
            if twins {
                match pending.next() {
                    Some(second_child) => ids.push(spine[second_child].id),
                    None => {
                        let sex = if rng.gen_bool(0.5) {
                            Sex::Female
                        } else {
                            Sex::Male
                        };
                        ids.push(numbers.issue(rng, day, sex, NumberKind::Ordinary)?);
                        registry.children_outside_spine += 1;
                    }
                }
            }
            registry
                .deliveries
                .push(draw_delivery(rng, mother, day, &ids));
        }
    }
    Ok(registry)
}

fn women_by_birth_year(spine: &[Person]) -> Vec<Vec<usize>> {
    let mut by_year: Vec<Vec<usize>> = Vec::new();
    for (index, person) in spine.iter().enumerate() {
        if person.sex != Sex::Female {
            continue;
        }
        let Ok(offset) = usize::try_from(person.birth.year() - FIRST_BIRTH_YEAR) else {
            continue;
        };
        if by_year.len() <= offset {
            by_year.resize(offset + 1, Vec::new());
        }
        by_year[offset].push(index);
    }
    by_year
}

fn draw_mother(
    rng: &mut SynthRng,
    spine: &[Person],
    women_by_birth_year: &[Vec<usize>],
    last_delivery: &HashMap<usize, Day>,
    day: Day,
) -> Option<usize> {
    for _ in 0..MOTHER_ATTEMPTS {
        let age = normal(rng, MOTHER_AGE_MEAN, MOTHER_AGE_SD).round() as i32;
        let age = age.clamp(MOTHER_MIN_AGE, MOTHER_MAX_AGE);
        let Ok(offset) = usize::try_from(day.year() - age - FIRST_BIRTH_YEAR) else {
            continue;
        };
        let Some(women) = women_by_birth_year
            .get(offset)
            .filter(|women| !women.is_empty())
        else {
            continue;
        };
        let candidate = women[rng.gen_range(0..women.len())];
        let mother = &spine[candidate];
        let age_on_day = mother.age_on(day);
        let fits = (MOTHER_MIN_AGE..=MOTHER_MAX_AGE).contains(&age_on_day)
            && day <= mother.last_observed_day()
            && last_delivery.get(&candidate).is_none_or(|&previous| {
                day.number() - previous.number() >= MIN_DAYS_BETWEEN_DELIVERIES
            });
        if fits {
            return Some(candidate);
        }
    }
    None
}

fn draw_delivery(rng: &mut SynthRng, mother: usize, day: Day, ids: &[IdNumber]) -> Delivery {
    let twins = ids.len() > 1;
    let (mean, sd) = if twins {
        GESTATION_TWINS
    } else {
        GESTATION_SINGLETON
    };
    let weeks = normal(rng, mean, sd)
        .clamp(GESTATION_RANGE.0, GESTATION_RANGE.1)
        .round();
    let twin_deficit = if twins { WEIGHT_TWIN_DEFICIT } else { 0.0 };
    let expected_weight =
        WEIGHT_MEAN + WEIGHT_PER_WEEK * (weeks - GESTATION_SINGLETON.0) - twin_deficit;
    let children = ids
        .iter()
        .map(|&id| {
            let weight = normal(rng, expected_weight, WEIGHT_RESIDUAL_SD)
                .clamp(WEIGHT_RANGE.0, WEIGHT_RANGE.1)
                .round();
            Child {
                id,
                // Clamped to 300-6500 above, so the conversion is exact.
                weight_grams: weight as u32,
            }
        })
        .collect();
    Delivery {
        mother,
        day,
        // Clamped to 22-44 above, so the conversion is exact.
        gestational_weeks: weeks as u32,
        children,
    }
}

/// Writes `birth.csv`, one row per child. A mother whose D-number was not
/// yet replaced on the day of birth is recorded by the D-number.
pub(crate) fn write_births(
    folder: &Path,
    spine: &[Person],
    registry: &BirthRegistry,
    dirt: DirtInjector,
) -> Result<FileReport, SynthError> {
    let mut writer = RegistryWriter::create(folder, RegistryFile::Birth, Some(dirt))?;
    for delivery in &registry.deliveries {
        let mother_id = spine[delivery.mother].id_on(delivery.day).to_text();
        for child in &delivery.children {
            writer.write(vec![
                mother_id.clone(),
                child.id.to_text(),
                delivery.day.to_string(),
                child.weight_grams.to_string(),
                delivery.gestational_weeks.to_string(),
            ])?;
        }
    }
    writer.finish()
}
