//! The patient registry: hospital episodes 2008-2024, and `patient.csv`.

use std::collections::HashMap;
use std::path::Path;

use rand::Rng;

use crate::birth::Delivery;
use crate::cancer::CancerCase;
use crate::day::Day;
use crate::dirt::DirtInjector;
use crate::error::SynthError;
use crate::period::FIRST_PATIENT_YEAR;
use crate::person::{Person, Sex};
use crate::registry_writer::RegistryWriter;
use crate::report::{FileReport, RegistryFile};
use crate::sampling::{SynthRng, WeightedTable, poisson, uniform_day};

/// Episodes per observed year: a base rate plus a rate per year of age, so
/// a 40-year-old has about 0.2 a year and an 80-year-old about 0.37.
const EPISODES_PER_YEAR_BASE: f64 = 0.05;
const EPISODES_PER_YEAR_PER_AGE: f64 = 0.004;
/// Share of episodes that end on the day they start (outpatient visits).
const SAME_DAY_SHARE: f64 = 0.6;
/// Mean length in days of an episode that lasts overnight.
const INPATIENT_MEAN_DAYS: f64 = 3.5;
/// Mean number of follow-up episodes per cancer diagnosis, after the first.
const CANCER_FOLLOW_UP_MEAN: f64 = 1.5;
/// Days after a cancer diagnosis in which its episodes fall.
const CANCER_FIRST_EPISODE_DAYS: i32 = 30;
const CANCER_FOLLOW_UP_DAYS: i32 = 730;
/// Age bands of the diagnosis tables, in years.
const AGE_BAND_YEARS: i32 = 5;
const AGE_BANDS: usize = 20;

/// A diagnosis the patient registry records, with the sex and the ages
/// (`min_age..max_age`, multiples of 5) it is drawn for.
struct Diagnosis {
    code: &'static str,
    weight: u32,
    sex: Option<Sex>,
    min_age: i32,
    max_age: i32,
}

const fn diagnosis(code: &'static str, weight: u32, min_age: i32, max_age: i32) -> Diagnosis {
    Diagnosis {
        code,
        weight,
        sex: None,
        min_age,
        max_age,
    }
}

const fn female_diagnosis(
    code: &'static str,
    weight: u32,
    min_age: i32,
    max_age: i32,
) -> Diagnosis {
    Diagnosis {
        code,
        weight,
        sex: Some(Sex::Female),
        min_age,
        max_age,
    }
}

const ANY_AGE: i32 = 200;

/// Common reasons for a hospital episode, from chapters I (A), IV (E),
/// V (F), VI (G), VII-VIII (H), IX (I), X (J), XI (K), XII (L), XIII (M),
/// XIV (N), XVIII (R) and XIX (S). Weights are rough relative frequencies.
const DIAGNOSES: &[Diagnosis] = &[
    diagnosis("A09.9", 30, 0, ANY_AGE),
    diagnosis("A41.9", 8, 50, ANY_AGE),
    diagnosis("E10.9", 5, 5, ANY_AGE),
    diagnosis("E11.9", 25, 30, ANY_AGE),
    diagnosis("E66.9", 10, 15, ANY_AGE),
    diagnosis("F10.2", 8, 20, ANY_AGE),
    diagnosis("F32.1", 15, 15, ANY_AGE),
    diagnosis("F41.1", 12, 15, ANY_AGE),
    diagnosis("F90.0", 6, 5, 40),
    diagnosis("G40.9", 6, 0, ANY_AGE),
    diagnosis("G43.9", 10, 10, ANY_AGE),
    diagnosis("G47.3", 8, 30, ANY_AGE),
    diagnosis("H25.9", 10, 55, ANY_AGE),
    diagnosis("H66.9", 10, 0, 15),
    diagnosis("I10", 30, 35, ANY_AGE),
    diagnosis("I21.4", 10, 40, ANY_AGE),
    diagnosis("I48.9", 15, 50, ANY_AGE),
    diagnosis("I50.9", 12, 60, ANY_AGE),
    diagnosis("I63.9", 10, 50, ANY_AGE),
    diagnosis("J06.9", 30, 0, ANY_AGE),
    diagnosis("J18.9", 20, 0, ANY_AGE),
    diagnosis("J44.1", 12, 45, ANY_AGE),
    diagnosis("J45.9", 12, 0, ANY_AGE),
    diagnosis("K21.9", 10, 20, ANY_AGE),
    diagnosis("K35.8", 10, 5, 60),
    diagnosis("K40.9", 10, 20, ANY_AGE),
    diagnosis("K80.2", 12, 20, ANY_AGE),
    diagnosis("L03.1", 8, 0, ANY_AGE),
    diagnosis("M16.1", 8, 55, ANY_AGE),
    diagnosis("M17.1", 12, 50, ANY_AGE),
    diagnosis("M51.1", 6, 25, ANY_AGE),
    diagnosis("M54.5", 25, 20, ANY_AGE),
    diagnosis("N20.0", 8, 20, ANY_AGE),
    diagnosis("N39.0", 15, 0, ANY_AGE),
    female_diagnosis("N81.1", 5, 40, ANY_AGE),
    diagnosis("R07.4", 20, 20, ANY_AGE),
    diagnosis("R10.4", 20, 0, ANY_AGE),
    diagnosis("S06.0", 10, 0, ANY_AGE),
    diagnosis("S52.5", 10, 0, ANY_AGE),
    diagnosis("S72.0", 10, 65, ANY_AGE),
    diagnosis("S93.4", 8, 10, ANY_AGE),
];

/// Delivery codes: a single spontaneous delivery, and a twin pregnancy.
const SINGLE_DELIVERY_CODE: &str = "O80";
const TWIN_DELIVERY_CODE: &str = "O30.0";

/// One episode before it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Episode {
    start: Day,
    end: Day,
    code: &'static str,
}

/// Diagnosis tables by sex (male, female) and 5-year age band.
struct DiagnosisTables {
    by_sex_and_band: [Vec<WeightedTable<&'static str>>; 2],
}

impl DiagnosisTables {
    fn new() -> DiagnosisTables {
        let for_sex = |sex: Sex| {
            (0..AGE_BANDS)
                .map(|band| {
                    let band_start = i32::try_from(band).unwrap_or(0) * AGE_BAND_YEARS;
                    WeightedTable::new(DIAGNOSES.iter().map(|diagnosis| {
                        let fits = diagnosis.sex.is_none_or(|only| only == sex)
                            && diagnosis.min_age <= band_start
                            && band_start + AGE_BAND_YEARS <= diagnosis.max_age;
                        (diagnosis.code, if fits { diagnosis.weight } else { 0 })
                    }))
                })
                .collect()
        };
        DiagnosisTables {
            by_sex_and_band: [for_sex(Sex::Male), for_sex(Sex::Female)],
        }
    }

    fn sample(&self, rng: &mut SynthRng, sex: Sex, age: i32) -> Option<&'static str> {
        let sex_index = usize::from(sex == Sex::Female);
        let band = usize::try_from(age / AGE_BAND_YEARS)
            .unwrap_or(0)
            .min(AGE_BANDS - 1);
        self.by_sex_and_band[sex_index][band].sample(rng).copied()
    }
}

/// Draws every person's episodes and writes `patient.csv`, person by
/// person. Cancer patients get episodes with their cancer code after the
/// diagnosis, and mothers a delivery episode around each birth.
pub(crate) fn write_patient_registry(
    folder: &Path,
    rng: &mut SynthRng,
    spine: &[Person],
    cancers: &[CancerCase],
    deliveries: &[Delivery],
    dirt: DirtInjector,
) -> Result<FileReport, SynthError> {
    let tables = DiagnosisTables::new();
    let mut cancers_by_person: HashMap<usize, Vec<&CancerCase>> = HashMap::new();
    for case in cancers {
        cancers_by_person.entry(case.person).or_default().push(case);
    }
    let mut deliveries_by_mother: HashMap<usize, Vec<&Delivery>> = HashMap::new();
    for delivery in deliveries {
        deliveries_by_mother
            .entry(delivery.mother)
            .or_default()
            .push(delivery);
    }

    let mut writer = RegistryWriter::create(folder, RegistryFile::Patient, Some(dirt))?;
    let period_start = Day::first_of_year(FIRST_PATIENT_YEAR);
    let mut episodes = Vec::new();
    for (index, person) in spine.iter().enumerate() {
        let first = person.birth.max(period_start);
        let last = person.last_observed_day();
        if first > last {
            continue;
        }
        episodes.clear();
        draw_common_episodes(rng, &tables, person, first, last, &mut episodes);
        for case in cancers_by_person.get(&index).into_iter().flatten() {
            draw_cancer_episodes(rng, case, first, last, &mut episodes);
        }
        for delivery in deliveries_by_mother.get(&index).into_iter().flatten() {
            delivery_episode(rng, delivery, first, last, &mut episodes);
        }

        // Sorted and without repeats, so every clean row is unique.
        episodes.sort_unstable();
        episodes.dedup();
        for episode in &episodes {
            writer.write(vec![
                person.id_on(episode.start).to_text(),
                episode.start.to_string(),
                episode.end.to_string(),
                episode.code.to_string(),
            ])?;
        }
    }
    writer.finish()
}

fn draw_common_episodes(
    rng: &mut SynthRng,
    tables: &DiagnosisTables,
    person: &Person,
    first: Day,
    last: Day,
    episodes: &mut Vec<Episode>,
) {
    let observed_years = f64::from(last.number() - first.number() + 1) / 365.25;
    let middle = first.plus((last.number() - first.number()) / 2);
    let rate =
        EPISODES_PER_YEAR_BASE + EPISODES_PER_YEAR_PER_AGE * f64::from(person.age_on(middle));
    for _ in 0..poisson(rng, rate * observed_years) {
        let Some(start) = uniform_day(rng, first, last) else {
            continue;
        };
        let Some(code) = tables.sample(rng, person.sex, person.age_on(start)) else {
            continue;
        };
        let end = draw_end(rng, start, last);
        episodes.push(Episode { start, end, code });
    }
}

fn draw_cancer_episodes(
    rng: &mut SynthRng,
    case: &CancerCase,
    first: Day,
    last: Day,
    episodes: &mut Vec<Episode>,
) {
    let count = 1 + poisson(rng, CANCER_FOLLOW_UP_MEAN);
    for episode in 0..count {
        let window = if episode == 0 {
            CANCER_FIRST_EPISODE_DAYS
        } else {
            CANCER_FOLLOW_UP_DAYS
        };
        let start = case.diagnosis.plus(rng.gen_range(0..=window));
        if start < first || start > last {
            continue;
        }
        let end = draw_end(rng, start, last);
        episodes.push(Episode {
            start,
            end,
            code: case.code,
        });
    }
}

fn delivery_episode(
    rng: &mut SynthRng,
    delivery: &Delivery,
    first: Day,
    last: Day,
    episodes: &mut Vec<Episode>,
) {
    let start = delivery.day.plus(-rng.gen_range(0..=1));
    if start < first || start > last {
        return;
    }
    let end = delivery.day.plus(rng.gen_range(1..=4)).min(last).max(start);
    let code = if delivery.children.len() > 1 {
        TWIN_DELIVERY_CODE
    } else {
        SINGLE_DELIVERY_CODE
    };
    episodes.push(Episode { start, end, code });
}

/// Draws the end of an episode that starts on `start`, no later than `last`.
fn draw_end(rng: &mut SynthRng, start: Day, last: Day) -> Day {
    if rng.gen_bool(SAME_DAY_SHARE) {
        return start;
    }
    let uniform: f64 = rng.r#gen();
    // Exponential length by inversion, at least one night.
    let nights = 1.0 + (-INPATIENT_MEAN_DAYS * (1.0 - uniform).ln()).floor();
    let nights = nights.min(365.0) as i32;
    start.plus(nights).min(last).max(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Stream, stream};

    #[test]
    fn child_tables_have_no_adult_codes() {
        let tables = DiagnosisTables::new();
        let mut rng = stream(1, Stream::Patient);
        for _ in 0..2_000 {
            let code = tables.sample(&mut rng, Sex::Male, 3).unwrap();
            assert!(
                !["I10", "E11.9", "S72.0", "H25.9"].contains(&code),
                "{code}"
            );
        }
    }

    #[test]
    fn female_codes_never_drawn_for_males() {
        let tables = DiagnosisTables::new();
        let mut rng = stream(2, Stream::Patient);
        for _ in 0..5_000 {
            assert_ne!(tables.sample(&mut rng, Sex::Male, 60), Some("N81.1"));
        }
    }

    #[test]
    fn episode_end_within_bounds() {
        let mut rng = stream(3, Stream::Patient);
        let start = Day::from_ymd(2020, 1, 1).unwrap();
        let last = start.plus(2);
        for _ in 0..1_000 {
            let end = draw_end(&mut rng, start, last);
            assert!(end >= start);
            assert!(end <= last);
        }
    }
}
