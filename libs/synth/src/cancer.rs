//! The cancer registry: diagnoses by age, sex and site, and `cancer.csv`.

use std::path::Path;

use rand::Rng;

use crate::day::Day;
use crate::dirt::DirtInjector;
use crate::error::SynthError;
use crate::period::{FIRST_EVENT_YEAR, LAST_YEAR};
use crate::person::{Person, Sex};
use crate::registry_writer::RegistryWriter;
use crate::report::{FileReport, RegistryFile};
use crate::sampling::{SynthRng, WeightedTable, uniform_day};

/// A cancer site: an ICD-10 category with the subcategories the registry
/// codes, relative frequencies by sex and the ages it occurs at.
struct Site {
    category: &'static str,
    subcategories: &'static [&'static str],
    male_weight: u32,
    female_weight: u32,
    min_age: i32,
    /// Whether the registry records a TNM or Ann Arbor stage for the site.
    staged: bool,
}

const fn site(
    category: &'static str,
    subcategories: &'static [&'static str],
    male_weight: u32,
    female_weight: u32,
    min_age: i32,
    staged: bool,
) -> Site {
    Site {
        category,
        subcategories,
        male_weight,
        female_weight,
        min_age,
        staged,
    }
}

/// The site mix, weights roughly in proportion to Norwegian incidence.
/// NOTE: the weights are approximations for realistic-looking data, not
/// registry statistics.
const SITES: &[Site] = &[
    site(
        "C50",
        &[
            "C50.1", "C50.2", "C50.3", "C50.4", "C50.5", "C50.8", "C50.9",
        ],
        1,
        250,
        20,
        true,
    ),
    site("C61", &["C61.9"], 300, 0, 40, true),
    site(
        "C18",
        &[
            "C18.0", "C18.2", "C18.3", "C18.4", "C18.5", "C18.6", "C18.7", "C18.9",
        ],
        90,
        95,
        20,
        true,
    ),
    site("C19", &["C19.9"], 10, 8, 20, true),
    site("C20", &["C20.9"], 40, 30, 20, true),
    site(
        "C34",
        &["C34.0", "C34.1", "C34.2", "C34.3", "C34.9"],
        90,
        95,
        30,
        true,
    ),
    site(
        "C43",
        &["C43.3", "C43.5", "C43.6", "C43.7", "C43.9"],
        80,
        85,
        15,
        true,
    ),
    site(
        "C44",
        &[
            "C44.2", "C44.3", "C44.4", "C44.5", "C44.6", "C44.7", "C44.9",
        ],
        70,
        60,
        30,
        false,
    ),
    site(
        "C67",
        &["C67.0", "C67.2", "C67.4", "C67.9"],
        70,
        25,
        40,
        true,
    ),
    site("C64", &["C64.9"], 30, 18, 30, true),
    site(
        "C71",
        &["C71.0", "C71.1", "C71.2", "C71.9"],
        20,
        17,
        0,
        false,
    ),
    site("C91", &["C91.0", "C91.1"], 15, 12, 0, false),
    site("C92", &["C92.0", "C92.1"], 12, 10, 0, false),
    site("C16", &["C16.0", "C16.9"], 18, 12, 40, true),
    site("C25", &["C25.0", "C25.9"], 30, 30, 40, true),
    site("C53", &["C53.0", "C53.9"], 0, 25, 20, true),
    site("C54", &["C54.1", "C54.9"], 0, 55, 35, true),
    site("C56", &["C56.9"], 0, 30, 30, true),
    site("C62", &["C62.1", "C62.9"], 25, 0, 15, true),
    site("C73", &["C73.9"], 8, 22, 15, true),
    site("C83", &["C83.3", "C83.9"], 20, 16, 15, true),
    site("C90", &["C90.0"], 18, 13, 40, false),
];

/// Oldest age at which the generator draws testicular cancer (C62), which
/// occurs mostly in young and middle-aged men.
const TESTIS_MAX_AGE: i32 = 60;

/// Stage at diagnosis, written as a Roman numeral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    One,
    Two,
    Three,
    Four,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::One => "I",
            Stage::Two => "II",
            Stage::Three => "III",
            Stage::Four => "IV",
        }
    }
}

/// One diagnosis.
#[derive(Debug, Clone)]
pub(crate) struct CancerCase {
    /// Index of the person in the spine.
    pub(crate) person: usize,
    /// ICD-10 code with subcategory, e.g. `C50.9`.
    pub(crate) code: &'static str,
    pub(crate) diagnosis: Day,
    /// `None` when unknown or not staged for the site.
    pub(crate) stage: Option<Stage>,
}

impl CancerCase {
    /// Returns whether the case is colorectal cancer (C18-C20).
    pub(crate) fn is_colorectal(&self) -> bool {
        ["C18", "C19", "C20"]
            .iter()
            .any(|category| self.code.starts_with(category))
    }
}

/// Annual probability of a new cancer at `age`, rising about 7% a year of
/// age (0.3% at 50, 1.3% at 70). Scaled so about 5% of a spine shaped
/// like Norway's population gets a cancer during 2000-2024.
fn annual_incidence(age: i32) -> f64 {
    (9.5e-5 * (0.07 * f64::from(age)).exp()).min(0.03)
}

/// Draws the diagnoses of every person, year by year during 2000-2024 while
/// the person is observed. A person gets at most one diagnosis per site.
pub(crate) fn generate_cancers(rng: &mut SynthRng, spine: &[Person]) -> Vec<CancerCase> {
    let stages = WeightedTable::new([
        (Some(Stage::One), 30),
        (Some(Stage::Two), 25),
        (Some(Stage::Three), 20),
        (Some(Stage::Four), 15),
        (None, 10),
    ]);
    let mut cases = Vec::new();
    for (index, person) in spine.iter().enumerate() {
        let birth_year = person.birth.year();
        let last = person.last_observed_day();
        let mut categories: Vec<&'static str> = Vec::new();
        for year in birth_year.max(FIRST_EVENT_YEAR)..=LAST_YEAR.min(last.year()) {
            let age = year - birth_year;
            if !rng.gen_bool(annual_incidence(age)) {
                continue;
            }
            let first = Day::first_of_year(year).max(person.birth.plus(1));
            let Some(diagnosis) = uniform_day(rng, first, Day::last_of_year(year).min(last)) else {
                continue;
            };
            let Some(site) = draw_site(rng, person.sex, person.age_on(diagnosis)) else {
                continue;
            };
            if categories.contains(&site.category) {
                continue;
            }
            categories.push(site.category);
            let code = site.subcategories[rng.gen_range(0..site.subcategories.len())];
            let stage = if site.staged {
                stages.sample(rng).copied().flatten()
            } else {
                None
            };
            cases.push(CancerCase {
                person: index,
                code,
                diagnosis,
                stage,
            });
        }
    }
    cases
}

fn draw_site(rng: &mut SynthRng, sex: Sex, age: i32) -> Option<&'static Site> {
    let table = WeightedTable::new(SITES.iter().map(|site| {
        let weight = match sex {
            Sex::Male => site.male_weight,
            Sex::Female => site.female_weight,
        };
        let too_old = site.category == "C62" && age > TESTIS_MAX_AGE;
        let possible = age >= site.min_age && !too_old;
        (site, if possible { weight } else { 0 })
    }));
    table.sample(rng).copied()
}

/// Writes `cancer.csv`. A diagnosis made before a person's D-number was
/// replaced refers to the D-number.
pub(crate) fn write_cancers(
    folder: &Path,
    spine: &[Person],
    cases: &[CancerCase],
    dirt: DirtInjector,
) -> Result<FileReport, SynthError> {
    let mut writer = RegistryWriter::create(folder, RegistryFile::Cancer, Some(dirt))?;
    for case in cases {
        let person = &spine[case.person];
        writer.write(vec![
            person.id_on(case.diagnosis).to_text(),
            case.code.to_string(),
            case.diagnosis.to_string(),
            case.stage
                .map(Stage::as_str)
                .unwrap_or_default()
                .to_string(),
        ])?;
    }
    writer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Stream, stream};

    #[test]
    fn prostate_never_drawn_for_females() {
        let mut rng = stream(1, Stream::Cancer);
        for _ in 0..5_000 {
            let site = draw_site(&mut rng, Sex::Female, 70).unwrap();
            assert_ne!(site.category, "C61");
        }
    }

    #[test]
    fn uterus_never_drawn_for_males() {
        let mut rng = stream(2, Stream::Cancer);
        for _ in 0..5_000 {
            let site = draw_site(&mut rng, Sex::Male, 60).unwrap();
            assert!(!["C53", "C54", "C56"].contains(&site.category));
        }
    }

    #[test]
    fn children_get_only_childhood_sites() {
        let mut rng = stream(3, Stream::Cancer);
        for _ in 0..2_000 {
            let site = draw_site(&mut rng, Sex::Male, 5).unwrap();
            assert!(
                ["C71", "C91", "C92"].contains(&site.category),
                "{}",
                site.category
            );
        }
    }

    #[test]
    fn subcategories_belong_to_their_category() {
        for site in SITES {
            for code in site.subcategories {
                assert!(code.starts_with(site.category), "{code}");
                assert_eq!(code.len(), 5, "{code}");
            }
        }
    }

    #[test]
    fn incidence_rises_with_age() {
        assert!(annual_incidence(30) < annual_incidence(50));
        assert!(annual_incidence(50) < annual_incidence(70));
    }
}
