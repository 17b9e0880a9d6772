//! The consent-based colorectal cancer quality registry: surgeries in
//! `quality.csv` and consent events in `quality_consent.csv`.

use std::path::Path;

use rand::Rng;

use crate::cancer::CancerCase;
use crate::day::Day;
use crate::dirt::DirtInjector;
use crate::error::SynthError;
use crate::person::Person;
use crate::registry_writer::RegistryWriter;
use crate::report::{FileReport, RegistryFile};
use crate::sampling::{SynthRng, WeightedTable, uniform_day};

/// Share of colorectal cancer patients who have surgery and consent to the
/// registry.
const SURGERY_SHARE: f64 = 0.65;
/// Days from diagnosis to surgery.
const DAYS_TO_SURGERY: (i32, i32) = (5, 60);
/// Days from consent to surgery: consent is given at most this long before.
const CONSENT_DAYS_BEFORE_SURGERY: i32 = 14;
/// Share of registered patients who later withdraw consent.
const WITHDRAWAL_SHARE: f64 = 0.03;

/// Colon resection codes for colon cancer (C18-C19) from the NCSP (NOMESCO
/// Classification of Surgical Procedures) groups JFB and JFH, with relative
/// weights. NOTE: the codes follow the group structure but were not checked
/// against the current NCSP code list.
const COLON_PROCEDURES: &[(&str, u32)] = &[
    ("JFB20", 10),
    ("JFB30", 25),
    ("JFB33", 30),
    ("JFB40", 8),
    ("JFB43", 12),
    ("JFB50", 5),
    ("JFB60", 5),
    ("JFH10", 5),
];
/// Rectal resection codes for rectal cancer (C20) from the NCSP group JGB,
/// with relative weights.
const RECTUM_PROCEDURES: &[(&str, u32)] = &[
    ("JGB00", 30),
    ("JGB03", 30),
    ("JGB10", 15),
    ("JGB20", 15),
    ("JGB30", 10),
];
/// Recording channels of consent events, for given and withdrawn consent.
const GIVEN_SOURCES: &[(&str, u32)] = &[("paper-form", 65), ("helsenorge", 35)];
const WITHDRAWN_SOURCES: &[(&str, u32)] = &[("paper-form", 40), ("helsenorge", 60)];

/// A consent event of the quality registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConsentEvent {
    Given,
    Withdrawn,
}

impl ConsentEvent {
    fn as_str(self) -> &'static str {
        match self {
            ConsentEvent::Given => "given",
            ConsentEvent::Withdrawn => "withdrawn",
        }
    }
}

/// Draws surgeries for a share of colorectal cancer patients (their first
/// colorectal diagnosis), with a `given` consent event before each surgery
/// and a later `withdrawn` event for a few. Writes both files.
pub(crate) fn write_quality_registry(
    folder: &Path,
    rng: &mut SynthRng,
    spine: &[Person],
    cancers: &[CancerCase],
    surgery_dirt: DirtInjector,
    consent_dirt: DirtInjector,
) -> Result<(FileReport, FileReport), SynthError> {
    let colon = WeightedTable::new(COLON_PROCEDURES.iter().copied());
    let rectum = WeightedTable::new(RECTUM_PROCEDURES.iter().copied());
    let given_sources = WeightedTable::new(GIVEN_SOURCES.iter().copied());
    let withdrawn_sources = WeightedTable::new(WITHDRAWN_SOURCES.iter().copied());

    let mut surgeries = RegistryWriter::create(folder, RegistryFile::Quality, Some(surgery_dirt))?;
    let mut consents =
        RegistryWriter::create(folder, RegistryFile::QualityConsent, Some(consent_dirt))?;
    let mut previous_person = None;
    for case in cancers.iter().filter(|case| case.is_colorectal()) {
        // Cases are in spine order, so a repeated person is adjacent.
        if previous_person == Some(case.person) {
            continue;
        }
        previous_person = Some(case.person);
        if !rng.gen_bool(SURGERY_SHARE) {
            continue;
        }
        let person = &spine[case.person];
        let last = person.last_observed_day();
        let surgery_window = (
            case.diagnosis.plus(DAYS_TO_SURGERY.0),
            case.diagnosis.plus(DAYS_TO_SURGERY.1).min(last),
        );
        let Some(surgery) = uniform_day(rng, surgery_window.0, surgery_window.1) else {
            continue;
        };
        let procedures = if case.code.starts_with("C20") {
            &rectum
        } else {
            &colon
        };
        let procedure = procedures.sample(rng).copied().unwrap_or("JFB30");
        let asa = draw_asa_score(rng, person.age_on(surgery));
        let given = uniform_day(
            rng,
            surgery
                .plus(-CONSENT_DAYS_BEFORE_SURGERY)
                .max(case.diagnosis),
            surgery,
        )
        .unwrap_or(surgery);

        consents.write(consent_record(
            person,
            ConsentEvent::Given,
            given,
            given_sources.sample(rng).copied().unwrap_or("paper-form"),
        ))?;
        surgeries.write(vec![
            person.id_on(surgery).to_text(),
            surgery.to_string(),
            procedure.to_string(),
            asa.to_string(),
        ])?;
        if rng.gen_bool(WITHDRAWAL_SHARE)
            && let Some(withdrawn) = uniform_day(rng, given.plus(1), last)
        {
            consents.write(consent_record(
                person,
                ConsentEvent::Withdrawn,
                withdrawn,
                withdrawn_sources
                    .sample(rng)
                    .copied()
                    .unwrap_or("helsenorge"),
            ))?;
        }
    }
    Ok((surgeries.finish()?, consents.finish()?))
}

fn consent_record(person: &Person, event: ConsentEvent, day: Day, source: &str) -> Vec<String> {
    vec![
        person.id_on(day).to_text(),
        event.as_str().to_string(),
        day.to_string(),
        source.to_string(),
    ]
}

/// Draws an ASA physical status score (1-4); older patients score higher.
fn draw_asa_score(rng: &mut SynthRng, age: i32) -> u8 {
    let weights: [u32; 4] = match age {
        ..60 => [30, 50, 18, 2],
        60..80 => [10, 45, 40, 5],
        _ => [3, 32, 55, 10],
    };
    let table = WeightedTable::new((1u8..=4).zip(weights));
    table.sample(rng).copied().unwrap_or(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sampling::{Stream, stream};

    #[test]
    fn asa_score_between_1_and_4() {
        let mut rng = stream(1, Stream::Quality);
        for age in [30, 70, 90] {
            for _ in 0..1_000 {
                let score = draw_asa_score(&mut rng, age);
                assert!((1..=4).contains(&score), "{score}");
            }
        }
    }

    #[test]
    fn asa_score_higher_for_old() {
        let mut rng = stream(2, Stream::Quality);
        let mean = |rng: &mut SynthRng, age| {
            (0..5_000)
                .map(|_| f64::from(draw_asa_score(rng, age)))
                .sum::<f64>()
                / 5_000.0
        };
        let young = mean(&mut rng, 40);
        let old = mean(&mut rng, 85);
        assert!(young < old, "young {young}, old {old}");
    }
}
