#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use common::{PopulationRow, date};
use hap_synth::RegistryFile;

fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Returns the spine person a clean identifier refers to, or `None` for a
/// dirty identifier.
fn person<'a>(
    persons: &'a [PopulationRow],
    index: &HashMap<String, usize>,
    id: &str,
) -> Option<&'a PopulationRow> {
    index.get(id).map(|&position| &persons[position])
}

#[test]
fn female_share_near_half() {
    let persons = common::population(&common::large().dir);
    let females = persons.iter().filter(|p| p.sex == "female").count();
    let share = females as f64 / persons.len() as f64;
    assert!((0.48..0.54).contains(&share), "female share {share}");
    assert!(persons.iter().all(|p| p.sex == "female" || p.sex == "male"));
}

#[test]
fn birth_dates_span_1925_to_2024() {
    let persons = common::population(&common::large().dir);
    let years: Vec<i32> = persons.iter().map(|p| p.birth.year()).collect();
    assert_eq!(*years.iter().min().unwrap(), 1925);
    assert_eq!(*years.iter().max().unwrap(), 2024);
    let over_90 = years.iter().filter(|&&year| year < 1935).count();
    let aged_30_to_39 = years
        .iter()
        .filter(|&&year| (1985..1995).contains(&year))
        .count();
    assert!(
        over_90 * 5 < aged_30_to_39,
        "age pyramid too flat at the top"
    );
}

#[test]
fn municipalities_weighted_by_population() {
    let persons = common::population(&common::large().dir);
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for person in &persons {
        assert_eq!(person.municipality.len(), 4);
        *counts.entry(person.municipality.as_str()).or_default() += 1;
    }
    assert!(counts.len() >= 40, "{} municipalities", counts.len());
    let oslo = counts["0301"];
    let bergen = counts["4601"];
    let trondheim = counts["5001"];
    assert!(oslo > bergen, "Oslo {oslo}, Bergen {bergen}");
    assert!(bergen > trondheim, "Bergen {bergen}, Trondheim {trondheim}");
}

#[test]
fn deaths_and_emigrations_follow_birth() {
    let persons = common::population(&common::large().dir);
    for person in &persons {
        if let Some(death) = person.death {
            assert!(death > person.birth);
            assert!(death.year() >= 2000);
            assert!(death.year() <= 2024);
        }
        if let Some(emigration) = person.emigration {
            assert!(emigration > person.birth);
            assert!(person.death.is_none_or(|death| emigration < death));
        }
    }
}

#[test]
fn deaths_more_likely_for_old() {
    let persons = common::population(&common::large().dir);
    let death_share = |born: std::ops::Range<i32>| {
        let group: Vec<_> = persons
            .iter()
            .filter(|p| born.contains(&p.birth.year()))
            .collect();
        group.iter().filter(|p| p.death.is_some()).count() as f64 / group.len() as f64
    };
    let old = death_share(1925..1945);
    let young = death_share(1980..2000);
    assert!(old > 0.5, "old death share {old}");
    assert!(young < 0.05, "young death share {young}");
}

#[test]
fn spine_shares_as_specified() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let total = persons.len() as f64;
    let emigrated = persons.iter().filter(|p| p.emigration.is_some()).count() as f64 / total;
    let dnumbers = persons
        .iter()
        .filter(|p| p.former_dnumber.is_some())
        .count() as f64
        / total;
    assert!(
        (0.02..0.04).contains(&emigrated),
        "emigration share {emigrated}"
    );
    assert!(
        (0.012..0.028).contains(&dnumbers),
        "D-number share {dnumbers}"
    );
    assert_eq!(
        fixture.report.spine.former_dnumbers as f64 / total,
        dnumbers
    );
}

#[test]
fn cancer_diagnoses_within_life_and_period() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Cancer);
    let mut linked = 0;
    for row in &rows {
        let Some(person) = person(&persons, &index, &row[0]) else {
            continue;
        };
        linked += 1;
        let diagnosis = date(&row[2]);
        assert!(diagnosis > person.birth, "diagnosis before birth");
        assert!(
            diagnosis <= person.last_observed(),
            "diagnosis after death or emigration"
        );
        assert!((2000..=2024).contains(&diagnosis.year()));
    }
    assert!(linked > 0);
}

#[test]
fn cancer_codes_and_stages_well_formed() {
    let rows = common::read_rows(&common::large().dir, RegistryFile::Cancer);
    for row in &rows {
        let code = row[1].as_bytes();
        assert_eq!(code.len(), 5, "code {}", row[1]);
        assert_eq!(code[0], b'C');
        for position in [1, 2, 4] {
            assert!(code[position].is_ascii_digit(), "code {}", row[1]);
        }
        assert_eq!(code[3], b'.');
        assert!(
            ["", "I", "II", "III", "IV"].contains(&row[3].as_str()),
            "stage {}",
            row[3]
        );
    }
}

#[test]
fn cancer_sites_match_sex() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Cancer);
    let mut breast_by_sex: HashMap<&str, usize> = HashMap::new();
    for row in &rows {
        let Some(person) = person(&persons, &index, &row[0]) else {
            continue;
        };
        if row[1].starts_with("C61") {
            assert_eq!(person.sex, "male", "prostate cancer in a female");
        }
        if ["C53", "C54", "C56"].iter().any(|c| row[1].starts_with(c)) {
            assert_eq!(person.sex, "female", "gynaecological cancer in a male");
        }
        if row[1].starts_with("C50") {
            *breast_by_sex.entry(person.sex.as_str()).or_default() += 1;
        }
    }
    let female_breast = breast_by_sex.get("female").copied().unwrap_or(0);
    let male_breast = breast_by_sex.get("male").copied().unwrap_or(0);
    assert!(
        female_breast > 20 * male_breast.max(1) / 2,
        "breast cancer mostly female"
    );
}

#[test]
fn cancer_share_and_site_mix() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Cancer);
    let patients: HashSet<usize> = rows
        .iter()
        .filter_map(|row| index.get(&row[0]).copied())
        .collect();
    let share = patients.len() as f64 / persons.len() as f64;
    assert!(
        (0.035..0.07).contains(&share),
        "cancer patient share {share}"
    );
    let categories: HashSet<&str> = rows.iter().map(|row| &row[1][..3]).collect();
    for category in ["C50", "C61", "C18", "C20", "C34", "C43", "C44", "C67"] {
        assert!(categories.contains(category), "{category} missing");
    }
}

#[test]
fn cancer_more_common_for_old() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Cancer);
    let mut ages = Vec::new();
    for row in &rows {
        if let Some(person) = person(&persons, &index, &row[0]) {
            ages.push(age_on(person.birth, date(&row[2])));
        }
    }
    let over_50 = ages.iter().filter(|&&age| age >= 50).count();
    assert!(
        over_50 * 10 > ages.len() * 7,
        "{over_50} of {} aged 50 or more",
        ages.len()
    );
}

#[test]
fn mothers_are_women_of_childbearing_age() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Birth);
    assert!(rows.len() > 1_000, "{} births", rows.len());
    for row in &rows {
        let birth_date = date(&row[2]);
        assert!((2000..=2024).contains(&birth_date.year()));
        let Some(mother) = person(&persons, &index, &row[0]) else {
            continue;
        };
        assert_eq!(mother.sex, "female");
        let age = age_on(mother.birth, birth_date);
        assert!((16..=48).contains(&age), "mother aged {age}");
        assert!(birth_date <= mother.last_observed());
    }
}

#[test]
fn children_born_on_birth_date() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let rows = common::read_rows(&fixture.dir, RegistryFile::Birth);
    let mut outside_spine = 0;
    for row in &rows {
        if !common::classic_check_holds(&row[1]) {
            continue;
        }
        match person(&persons, &index, &row[1]) {
            Some(child) => assert_eq!(child.birth, date(&row[2])),
            None => outside_spine += 1,
        }
    }
    assert_eq!(outside_spine, fixture.report.children_outside_spine);
}

#[test]
fn birth_weight_follows_gestational_age() {
    let rows = common::read_rows(&common::large().dir, RegistryFile::Birth);
    let weights: Vec<f64> = rows.iter().map(|row| row[3].parse().unwrap()).collect();
    let weeks: Vec<f64> = rows.iter().map(|row| row[4].parse().unwrap()).collect();

    let (mean_weight, sd_weight) = mean_and_sd(&weights);
    let (mean_weeks, sd_weeks) = mean_and_sd(&weeks);
    assert!(
        (3_400.0..3_600.0).contains(&mean_weight),
        "mean weight {mean_weight}"
    );
    assert!(
        (480.0..650.0).contains(&sd_weight),
        "weight spread {sd_weight}"
    );
    assert!(
        (39.0..40.0).contains(&mean_weeks),
        "mean gestation {mean_weeks}"
    );
    assert!(
        (1.5..2.5).contains(&sd_weeks),
        "gestation spread {sd_weeks}"
    );
    assert!(weeks.iter().all(|week| (22.0..=44.0).contains(week)));

    let covariance = weights
        .iter()
        .zip(&weeks)
        .map(|(weight, week)| (weight - mean_weight) * (week - mean_weeks))
        .sum::<f64>()
        / weights.len() as f64;
    let correlation = covariance / (sd_weight * sd_weeks);
    assert!(correlation > 0.4, "correlation {correlation}");
}

fn mean_and_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, variance.sqrt())
}

#[test]
fn twins_share_mother_and_date() {
    let rows = common::read_rows(&common::large().dir, RegistryFile::Birth);
    let mut children: HashMap<(&str, &str), HashSet<&str>> = HashMap::new();
    for row in &rows {
        children
            .entry((row[0].as_str(), row[2].as_str()))
            .or_default()
            .insert(row[1].as_str());
    }
    let twins = children.values().filter(|ids| ids.len() == 2).count();
    assert!(twins > 0);
    assert!(children.values().all(|ids| ids.len() <= 2));
}

#[test]
fn patient_episodes_ordered_and_in_period() {
    let rows = common::read_rows(&common::large().dir, RegistryFile::Patient);
    let mut chapters = HashSet::new();
    for row in &rows {
        let start = date(&row[1]);
        let end = date(&row[2]);
        assert!(end >= start, "episode ends before it starts");
        assert!((2008..=2024).contains(&start.year()));
        assert!(end.year() <= 2024);
        chapters.insert(row[3].chars().next().unwrap());
    }
    assert!(chapters.len() >= 10, "{} chapters", chapters.len());
}

#[test]
fn patient_episodes_a_few_per_person() {
    let fixture = common::large();
    let rows = fixture.report.file(RegistryFile::Patient).rows as f64;
    let per_person = rows / fixture.report.persons as f64;
    assert!(
        (1.5..6.0).contains(&per_person),
        "{per_person} episodes per person"
    );
}

#[test]
fn cancer_patients_have_cancer_episodes() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let mut episode_codes: HashSet<(usize, String)> = HashSet::new();
    for row in common::read_rows(&fixture.dir, RegistryFile::Patient) {
        if let Some(&position) = index.get(&row[0]) {
            episode_codes.insert((position, row[3].clone()));
        }
    }
    let mut expected = 0;
    let mut found = 0;
    for row in common::read_rows(&fixture.dir, RegistryFile::Cancer) {
        let Some(&position) = index.get(&row[0]) else {
            continue;
        };
        let diagnosis = date(&row[2]);
        // Episodes start within 30 days of diagnosis, from 2008 on.
        if diagnosis < date("2008-01-01")
            || diagnosis + chrono::Days::new(30) > persons[position].last_observed()
        {
            continue;
        }
        expected += 1;
        if episode_codes.contains(&(position, row[1].clone())) {
            found += 1;
        }
    }
    assert!(expected > 100);
    // A dirty identifier on the only episode of a diagnosis hides it.
    assert!(found * 100 >= expected * 97, "{found} of {expected}");
}

#[test]
fn quality_registry_holds_colorectal_patients_with_consent() {
    let fixture = common::large();
    let persons = common::population(&fixture.dir);
    let index = common::person_index(&persons);
    let colorectal = first_colorectal_diagnoses(&fixture.dir, &index);
    let consents = consent_events(&fixture.dir, &index);

    let surgeries = common::read_rows(&fixture.dir, RegistryFile::Quality);
    let mut operated = 0;
    for row in &surgeries {
        let Some(&position) = index.get(&row[0]) else {
            continue;
        };
        operated += 1;
        let surgery = date(&row[1]);
        let diagnosis = colorectal
            .get(&position)
            .expect("surgery without colorectal cancer");
        assert!(surgery > *diagnosis);
        assert!(row[2].starts_with('J'), "procedure {}", row[2]);
        let asa: u8 = row[3].parse().unwrap();
        assert!((1..=4).contains(&asa));
        if let Some(consent) = consents.given.get(&position) {
            assert!(*consent <= surgery);
        }
    }
    assert!(
        operated * 2 > colorectal.len(),
        "{operated} of {} operated",
        colorectal.len()
    );

    for (position, withdrawal) in &consents.withdrawn {
        if let Some(consent) = consents.given.get(position) {
            assert!(withdrawal > consent, "withdrawn before given");
        }
    }
    let withdrawn_share = consents.withdrawn.len() as f64 / consents.given.len() as f64;
    assert!(withdrawn_share < 0.1, "withdrawn share {withdrawn_share}");
}

/// Returns the first colorectal (C18-C20) diagnosis date of each person.
fn first_colorectal_diagnoses(
    dir: &std::path::Path,
    index: &HashMap<String, usize>,
) -> HashMap<usize, NaiveDate> {
    let mut colorectal = HashMap::new();
    for row in common::read_rows(dir, RegistryFile::Cancer) {
        if ["C18", "C19", "C20"].iter().any(|c| row[1].starts_with(c))
            && let Some(&position) = index.get(&row[0])
        {
            colorectal.entry(position).or_insert(date(&row[2]));
        }
    }
    colorectal
}

struct ConsentEvents {
    given: HashMap<usize, NaiveDate>,
    withdrawn: HashMap<usize, NaiveDate>,
}

fn consent_events(dir: &std::path::Path, index: &HashMap<String, usize>) -> ConsentEvents {
    let mut events = ConsentEvents {
        given: HashMap::new(),
        withdrawn: HashMap::new(),
    };
    for row in common::read_rows(dir, RegistryFile::QualityConsent) {
        let Some(&position) = index.get(&row[0]) else {
            continue;
        };
        assert!(
            ["paper-form", "helsenorge"].contains(&row[3].as_str()),
            "source {}",
            row[3]
        );
        match row[1].as_str() {
            "given" => events.given.insert(position, date(&row[2])),
            "withdrawn" => events.withdrawn.insert(position, date(&row[2])),
            other => panic!("unknown consent event {other}"),
        };
    }
    events
}
