//! Cohort criteria and the registry variable catalogue.
//!
//! A data request selects a cohort by cancer diagnosis ([`CohortCriteria`])
//! and names, per [`Registry`], the variables it requests from the catalogue
//! ([`catalogue`]). The linkage engine and the application service both
//! validate against the definitions here, so they accept the same requests.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A registry whose extract the linkage engine reads, one CSV file each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Registry {
    /// The population register, the spine every other registry links to.
    Population,
    /// The cancer registry, which defines the cohort.
    Cancer,
    /// The medical birth registry.
    Birth,
    /// The patient registry of hospital episodes.
    Patient,
    /// The consent-based colorectal cancer quality registry.
    Quality,
}

impl Registry {
    /// Every registry, in catalogue order.
    pub const ALL: [Registry; 5] = [
        Registry::Population,
        Registry::Cancer,
        Registry::Birth,
        Registry::Patient,
        Registry::Quality,
    ];

    /// Returns the lowercase name used in requests and JSON, e.g. `cancer`.
    pub fn name(self) -> &'static str {
        match self {
            Registry::Population => "population",
            Registry::Cancer => "cancer",
            Registry::Birth => "birth",
            Registry::Patient => "patient",
            Registry::Quality => "quality",
        }
    }

    /// Returns the name of the registry's CSV file inside a registry folder.
    pub fn file_name(self) -> &'static str {
        match self {
            Registry::Population => "population.csv",
            Registry::Cancer => "cancer.csv",
            Registry::Birth => "birth.csv",
            Registry::Patient => "patient.csv",
            Registry::Quality => "quality.csv",
        }
    }

    /// Returns whether persons are in the registry by consent, so that a
    /// withdrawn consent leaves their data out of every delivery. Only the
    /// quality registry is consent-based. The others are statutory registries.
    pub fn is_consent_based(self) -> bool {
        matches!(self, Registry::Quality)
    }

    /// Returns the variables a request may name for this registry, in catalogue order.
    pub fn variables(self) -> impl Iterator<Item = &'static Variable> {
        CATALOGUE
            .iter()
            .filter(move |variable| variable.registry == self)
    }
}

impl fmt::Display for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for a registry name that is not one of [`Registry::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownRegistry(pub String);

impl fmt::Display for UnknownRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown registry `{}`; use one of: population, cancer, birth, patient, quality",
            self.0
        )
    }
}

impl std::error::Error for UnknownRegistry {}

impl FromStr for Registry {
    type Err = UnknownRegistry;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Registry::ALL
            .into_iter()
            .find(|registry| registry.name() == name)
            .ok_or_else(|| UnknownRegistry(name.to_owned()))
    }
}

/// The cohort: persons with a cancer diagnosis whose ICD-10 code starts with
/// one of `diagnosis_codes` and whose diagnosis date lies in the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CohortCriteria {
    /// ICD-10 C code prefixes such as `C18`, `C5` or `C50.9`.
    pub diagnosis_codes: Vec<String>,
    /// First diagnosis date included, or no lower bound.
    pub diagnosed_from: Option<NaiveDate>,
    /// Last diagnosis date included, or no upper bound.
    pub diagnosed_to: Option<NaiveDate>,
}

/// Reason a [`CohortCriteria`] is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CriteriaError {
    /// `diagnosis_codes` is empty, which would select no one.
    NoDiagnosisCodes,
    /// A code that is not an ICD-10 C code prefix.
    InvalidDiagnosisCode(String),
    /// The period ends before it starts.
    PeriodReversed { from: NaiveDate, to: NaiveDate },
}

impl fmt::Display for CriteriaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CriteriaError::NoDiagnosisCodes => f.write_str(
                "the cohort criteria name no diagnosis codes; add at least one ICD-10 C code prefix such as C18",
            ),
            CriteriaError::InvalidDiagnosisCode(code) => write!(
                f,
                "diagnosis code `{code}` is not an ICD-10 C code prefix; write an upper-case C, \
                 one or two digits (at most C97) and optionally a dot and one digit, e.g. C5, C50 or C50.9"
            ),
            CriteriaError::PeriodReversed { from, to } => write!(
                f,
                "diagnosed_from {from} is after diagnosed_to {to}; swap the dates or widen the period"
            ),
        }
    }
}

impl std::error::Error for CriteriaError {}

impl CohortCriteria {
    /// Checks the criteria and returns the first problem found.
    pub fn validate(&self) -> Result<(), CriteriaError> {
        if self.diagnosis_codes.is_empty() {
            return Err(CriteriaError::NoDiagnosisCodes);
        }
        if let Some(code) = self
            .diagnosis_codes
            .iter()
            .find(|code| !is_c_code_prefix(code))
        {
            return Err(CriteriaError::InvalidDiagnosisCode(code.clone()));
        }
        if let (Some(from), Some(to)) = (self.diagnosed_from, self.diagnosed_to)
            && from > to
        {
            return Err(CriteriaError::PeriodReversed { from, to });
        }
        Ok(())
    }

    /// Returns whether an ICD-10 code, as written in the cancer registry, starts with
    /// one of the criteria's prefixes.
    pub fn matches_code(&self, icd10: &str) -> bool {
        self.diagnosis_codes
            .iter()
            .any(|prefix| icd10.starts_with(prefix.as_str()))
    }

    /// Returns whether a diagnosis date lies in the period, both ends included. A
    /// missing date lies in the period only when the period has no bounds.
    pub fn covers_date(&self, diagnosis_date: Option<NaiveDate>) -> bool {
        let Some(date) = diagnosis_date else {
            return self.diagnosed_from.is_none() && self.diagnosed_to.is_none();
        };
        let after_start = self.diagnosed_from.is_none_or(|from| date >= from);
        let before_end = self.diagnosed_to.is_none_or(|to| date <= to);
        after_start && before_end
    }

    /// Returns whether a cancer registry record selects its person for the cohort.
    pub fn matches(&self, icd10: &str, diagnosis_date: Option<NaiveDate>) -> bool {
        self.matches_code(icd10) && self.covers_date(diagnosis_date)
    }
}

/// Returns whether `code` is `C` followed by one digit, or by two digits from 00 to
/// 97 (the WHO ICD-10 C range) and optionally `.` and one subcategory digit.
fn is_c_code_prefix(code: &str) -> bool {
    let bytes = code.as_bytes();
    let digit = |index: usize| bytes.get(index).is_some_and(u8::is_ascii_digit);
    if bytes.first() != Some(&b'C') || !digit(1) {
        return false;
    }
    match bytes.len() {
        2 => true,
        3 | 5 => {
            // The category is computed only from two digits, so it fits u8.
            if !digit(2) {
                return false;
            }
            let category = (bytes[1] - b'0') * 10 + (bytes[2] - b'0');
            let subcategory = bytes.len() == 3 || (bytes[3] == b'.' && digit(4));
            category <= 97 && subcategory
        }
        _ => false,
    }
}

/// The value type of a catalogue variable in the delivered table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VariableType {
    /// UTF-8 text.
    Text,
    /// A 64-bit signed integer.
    Integer,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
}

/// A variable a request may name: one output column of the linked table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Variable {
    /// The registry the value comes from.
    pub registry: Registry,
    /// The column name, unique across the whole catalogue.
    pub name: &'static str,
    /// The value type.
    #[serde(rename = "type")]
    pub kind: VariableType,
    /// A one-line description for applicants.
    pub description: &'static str,
}

const fn variable(
    registry: Registry,
    name: &'static str,
    kind: VariableType,
    description: &'static str,
) -> Variable {
    Variable {
        registry,
        name,
        kind,
        description,
    }
}

/// Every variable a request may name, grouped by registry in
/// [`Registry::ALL`] order. The output table has its columns in this order.
pub const CATALOGUE: [Variable; 15] = [
    variable(
        Registry::Population,
        "sex",
        VariableType::Text,
        "Sex as registered in the population register: male or female.",
    ),
    variable(
        Registry::Population,
        "birth_date",
        VariableType::Date,
        "Date of birth.",
    ),
    variable(
        Registry::Population,
        "municipality",
        VariableType::Text,
        "Municipality of residence as a four-digit municipality number, e.g. 0301 for Oslo.",
    ),
    variable(
        Registry::Population,
        "death_date",
        VariableType::Date,
        "Date of death, missing for persons alive at extraction.",
    ),
    variable(
        Registry::Population,
        "emigration_date",
        VariableType::Date,
        "Date of emigration from Norway, missing for persons who have not emigrated.",
    ),
    variable(
        Registry::Cancer,
        "icd10",
        VariableType::Text,
        "ICD-10 code of the first cancer diagnosis that matches the cohort criteria.",
    ),
    variable(
        Registry::Cancer,
        "diagnosis_date",
        VariableType::Date,
        "Date of the first cancer diagnosis that matches the cohort criteria.",
    ),
    variable(
        Registry::Cancer,
        "stage",
        VariableType::Text,
        "Stage (I, II, III or IV) of the first matching diagnosis, missing when unknown.",
    ),
    variable(
        Registry::Birth,
        "births_as_mother",
        VariableType::Integer,
        "Number of children the person gave birth to; twins count as two.",
    ),
    variable(
        Registry::Birth,
        "first_child_birth_weight_g",
        VariableType::Integer,
        "Birth weight in grams of the person's first-born child.",
    ),
    variable(
        Registry::Patient,
        "episodes",
        VariableType::Integer,
        "Number of hospital episodes in the patient registry.",
    ),
    variable(
        Registry::Patient,
        "first_episode_date",
        VariableType::Date,
        "Start date of the first hospital episode.",
    ),
    variable(
        Registry::Quality,
        "surgery_date",
        VariableType::Date,
        "Date of the first colorectal cancer surgery in the quality registry.",
    ),
    variable(
        Registry::Quality,
        "procedure",
        VariableType::Text,
        "NCSP procedure code of the first surgery, e.g. JFB20.",
    ),
    variable(
        Registry::Quality,
        "asa_score",
        VariableType::Integer,
        "ASA physical status score (1 to 4) at the first surgery.",
    ),
];

/// Returns the whole variable catalogue, in output column order.
pub fn catalogue() -> &'static [Variable] {
    &CATALOGUE
}

/// Looks up one variable of a registry by name.
pub fn find_variable(registry: Registry, name: &str) -> Option<&'static Variable> {
    registry.variables().find(|variable| variable.name == name)
}

/// Error for a request that names a variable the catalogue does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVariable {
    /// The registry the request named the variable for.
    pub registry: Registry,
    /// The unknown name, as requested.
    pub name: String,
    /// The names the catalogue allows for that registry.
    pub allowed: Vec<&'static str>,
}

impl fmt::Display for UnknownVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown variable `{}` for the {} registry; allowed: {}",
            self.name,
            self.registry,
            self.allowed.join(", ")
        )
    }
}

impl std::error::Error for UnknownVariable {}

/// Checks that every requested variable is in the catalogue.
pub fn validate_request(request: &[(Registry, Vec<String>)]) -> Result<(), UnknownVariable> {
    resolve_request(request).map(|_| ())
}

/// Resolves a request to its catalogue variables in catalogue order, each
/// once, however often and in whatever order the request names them.
pub fn resolve_request(
    request: &[(Registry, Vec<String>)],
) -> Result<Vec<&'static Variable>, UnknownVariable> {
    let mut requested = [false; CATALOGUE.len()];
    for (registry, names) in request {
        for name in names {
            let position = CATALOGUE
                .iter()
                .position(|variable| variable.registry == *registry && variable.name == name);
            match position {
                Some(index) => requested[index] = true,
                None => {
                    return Err(UnknownVariable {
                        registry: *registry,
                        name: name.clone(),
                        allowed: registry.variables().map(|variable| variable.name).collect(),
                    });
                }
            }
        }
    }
    Ok(CATALOGUE
        .iter()
        .zip(requested)
        .filter_map(|(variable, is_requested)| is_requested.then_some(variable))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn criteria(codes: &[&str]) -> CohortCriteria {
        CohortCriteria {
            diagnosis_codes: codes.iter().map(|code| code.to_string()).collect(),
            diagnosed_from: None,
            diagnosed_to: None,
        }
    }

    #[test]
    fn registry_serde_names_are_lowercase() {
        for registry in Registry::ALL {
            let json = serde_json::to_string(&registry).unwrap();
            assert_eq!(json, format!("\"{}\"", registry.name()));
            let back: Registry = serde_json::from_str(&json).unwrap();
            assert_eq!(back, registry);
        }
    }

    #[test]
    fn registry_file_names() {
        let names: Vec<_> = Registry::ALL.iter().map(|r| r.file_name()).collect();
        assert_eq!(
            names,
            [
                "population.csv",
                "cancer.csv",
                "birth.csv",
                "patient.csv",
                "quality.csv"
            ]
        );
    }

    #[test]
    fn registry_from_str_round_trips() {
        for registry in Registry::ALL {
            assert_eq!(registry.name().parse::<Registry>(), Ok(registry));
        }
        let error = "Cancer".parse::<Registry>().unwrap_err();
        assert!(error.to_string().contains("`Cancer`"));
    }

    #[test]
    fn only_quality_is_consent_based() {
        let consent_based: Vec<_> = Registry::ALL
            .into_iter()
            .filter(|registry| registry.is_consent_based())
            .collect();
        assert_eq!(consent_based, [Registry::Quality]);
    }

    #[test]
    fn criteria_accept_valid_prefixes() {
        for code in ["C5", "C50", "C50.9", "C00", "C97", "C18.7", "C0"] {
            assert_eq!(criteria(&[code]).validate(), Ok(()), "{code}");
        }
    }

    #[test]
    fn criteria_reject_invalid_codes() {
        for code in [
            "", "C", "c50", "D05", "C98", "C5.1", "C50.", "C50.91", "C509", " C50", "C50 ", "CC5",
            "C5a", "C50-9", "C1Ø",
        ] {
            assert_eq!(
                criteria(&["C18", code]).validate(),
                Err(CriteriaError::InvalidDiagnosisCode(code.to_owned())),
                "{code:?}"
            );
        }
    }

    #[test]
    fn criteria_reject_symbol_after_digit() {
        // A byte below `0` after the first digit makes a u8 sum of the two
        // places overflow, which panics in builds with overflow checks.
        for code in ["C1(", "C9/", "C5 ", "C9!.1"] {
            assert_eq!(
                criteria(&[code]).validate(),
                Err(CriteriaError::InvalidDiagnosisCode(code.to_owned())),
                "{code:?}"
            );
        }
    }

    #[test]
    fn criteria_invalid_code_message_names_code() {
        let error = criteria(&["K50"]).validate().unwrap_err();
        assert!(error.to_string().contains("`K50`"), "{error}");
    }

    #[test]
    fn criteria_reject_empty_code_list() {
        let error = criteria(&[]).validate().unwrap_err();
        assert_eq!(error, CriteriaError::NoDiagnosisCodes);
        assert!(error.to_string().contains("no diagnosis codes"));
    }

    #[test]
    fn criteria_reject_reversed_period() {
        let mut reversed = criteria(&["C18"]);
        reversed.diagnosed_from = Some(date("2020-01-02"));
        reversed.diagnosed_to = Some(date("2020-01-01"));
        let error = reversed.validate().unwrap_err();
        assert!(matches!(error, CriteriaError::PeriodReversed { .. }));
        let message = error.to_string();
        assert!(message.contains("2020-01-02"), "{message}");
        assert!(message.contains("2020-01-01"), "{message}");
    }

    #[test]
    fn criteria_accept_single_day_period() {
        let mut one_day = criteria(&["C18"]);
        one_day.diagnosed_from = Some(date("2020-01-01"));
        one_day.diagnosed_to = Some(date("2020-01-01"));
        assert_eq!(one_day.validate(), Ok(()));
    }

    #[test]
    fn criteria_match_by_prefix() {
        let colorectal = criteria(&["C18", "C19", "C20"]);
        assert!(colorectal.matches_code("C18.7"));
        assert!(colorectal.matches_code("C20"));
        assert!(!colorectal.matches_code("C21.0"));
        assert!(!colorectal.matches_code("C1"));
        let sub = criteria(&["C50.9"]);
        assert!(sub.matches_code("C50.9"));
        assert!(!sub.matches_code("C50.1"));
    }

    #[test]
    fn criteria_period_includes_both_ends() {
        let mut period = criteria(&["C18"]);
        period.diagnosed_from = Some(date("2010-01-01"));
        period.diagnosed_to = Some(date("2010-12-31"));
        assert!(period.covers_date(Some(date("2010-01-01"))));
        assert!(period.covers_date(Some(date("2010-12-31"))));
        assert!(!period.covers_date(Some(date("2009-12-31"))));
        assert!(!period.covers_date(Some(date("2011-01-01"))));
        assert!(!period.covers_date(None));
    }

    #[test]
    fn criteria_without_period_cover_missing_date() {
        assert!(criteria(&["C18"]).covers_date(None));
    }

    #[test]
    fn criteria_open_ended_period() {
        let mut from_only = criteria(&["C18"]);
        from_only.diagnosed_from = Some(date("2015-06-01"));
        assert!(from_only.covers_date(Some(date("2024-01-01"))));
        assert!(!from_only.covers_date(Some(date("2015-05-31"))));
        assert!(!from_only.covers_date(None));
    }

    #[test]
    fn criteria_json_round_trip() {
        let json =
            r#"{"diagnosis_codes":["C18"],"diagnosed_from":"2010-01-01","diagnosed_to":null}"#;
        let parsed: CohortCriteria = serde_json::from_str(json).unwrap();
        assert_eq!(parsed.diagnosis_codes, ["C18"]);
        assert_eq!(parsed.diagnosed_from, Some(date("2010-01-01")));
        assert_eq!(parsed.diagnosed_to, None);
        assert_eq!(serde_json::to_string(&parsed).unwrap(), json);
    }

    #[test]
    fn catalogue_names_are_unique() {
        let mut names: Vec<_> = CATALOGUE.iter().map(|variable| variable.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
    }

    #[test]
    fn catalogue_is_grouped_in_registry_order() {
        let registries: Vec<_> = CATALOGUE.iter().map(|variable| variable.registry).collect();
        let mut sorted = registries.clone();
        sorted.sort();
        assert_eq!(registries, sorted);
    }

    #[test]
    fn catalogue_lists_registry_variables() {
        let names = |registry: Registry| -> Vec<&str> {
            registry.variables().map(|variable| variable.name).collect()
        };
        assert_eq!(
            names(Registry::Population),
            [
                "sex",
                "birth_date",
                "municipality",
                "death_date",
                "emigration_date"
            ]
        );
        assert_eq!(
            names(Registry::Cancer),
            ["icd10", "diagnosis_date", "stage"]
        );
        assert_eq!(
            names(Registry::Birth),
            ["births_as_mother", "first_child_birth_weight_g"]
        );
        assert_eq!(names(Registry::Patient), ["episodes", "first_episode_date"]);
        assert_eq!(
            names(Registry::Quality),
            ["surgery_date", "procedure", "asa_score"]
        );
    }

    #[test]
    fn catalogue_serializes_type_field() {
        let json =
            serde_json::to_value(find_variable(Registry::Birth, "births_as_mother")).unwrap();
        assert_eq!(json["type"], "integer");
        assert_eq!(json["registry"], "birth");
    }

    #[test]
    fn request_resolves_in_catalogue_order() {
        let request = vec![
            (Registry::Quality, vec!["asa_score".to_owned()]),
            (
                Registry::Population,
                vec!["death_date".to_owned(), "sex".to_owned()],
            ),
            (Registry::Population, vec!["sex".to_owned()]),
        ];
        let names: Vec<_> = resolve_request(&request)
            .unwrap()
            .iter()
            .map(|variable| variable.name)
            .collect();
        assert_eq!(names, ["sex", "death_date", "asa_score"]);
    }

    #[test]
    fn request_rejects_unknown_variable() {
        let request = vec![
            (Registry::Cancer, vec!["icd10".to_owned()]),
            (Registry::Cancer, vec!["sex".to_owned()]),
        ];
        let error = validate_request(&request).unwrap_err();
        assert_eq!(error.registry, Registry::Cancer);
        assert_eq!(error.name, "sex");
        assert_eq!(error.allowed, ["icd10", "diagnosis_date", "stage"]);
        let message = error.to_string();
        assert!(message.contains("`sex`"), "{message}");
        assert!(
            message.contains("icd10, diagnosis_date, stage"),
            "{message}"
        );
    }

    #[test]
    fn request_may_be_empty() {
        assert_eq!(resolve_request(&[]).unwrap().len(), 0);
    }
}

// ---------------------------------------------------------------------------
// Criteria expressions over registry descriptors.
// ---------------------------------------------------------------------------

/// Sex as a criterion selects it, matching the spine's `male` or `female`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    /// Returns the name used in criteria and registry values.
    pub fn name(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A cohort criterion over persons, combined with `all`, `any` and `not`.
///
/// Parsed from JSON by [`Criterion::parse`], which checks every part and
/// names a bad part by its JSON pointer. The forms are:
///
/// - `{"all": [criterion, ...]}`, `{"any": [criterion, ...]}`, `{"not": criterion}`;
/// - `{"sex": "male"}` or `{"sex": "female"}`;
/// - `{"birth_year": {"from": 1930, "to": 2010}}`, either bound optional;
/// - `{"present": "registry"}` and `{"absent": "registry"}`: at least one
///   linked row in the registry, or none;
/// - `{"event": {"registry": "cancer", "icd10": {"column": "icd10",
///   "prefixes": ["C18"]}, "date": {"column": "diagnosis_date", "from":
///   "2010-01-01", "to": "2020-12-31"}, "age": {"column": "diagnosis_date",
///   "from": 18, "to": 80}}}`: at least one row of the registry meets every
///   condition given. `age` is the age in whole years at the date in
///   `column`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Criterion {
    All(Vec<Criterion>),
    Any(Vec<Criterion>),
    Not(Box<Criterion>),
    Sex(Sex),
    BirthYear(YearRange),
    Present(RegistryRef),
    Event(Box<EventCriterion>),
}

/// A registry named in a criterion, with the JSON pointer of the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryRef {
    pub name: String,
    pub pointer: String,
}

/// An inclusive range of years; a missing bound is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct YearRange {
    pub from: Option<i32>,
    pub to: Option<i32>,
}

impl YearRange {
    /// Returns whether `year` lies in the range, both ends included.
    pub fn contains(&self, year: i32) -> bool {
        self.from.is_none_or(|from| year >= from) && self.to.is_none_or(|to| year <= to)
    }
}

/// Conditions that one row of a registry meets together.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventCriterion {
    pub registry: RegistryRef,
    pub icd10: Option<CodeCondition>,
    pub date: Option<DateCondition>,
    pub age: Option<AgeCondition>,
}

/// The code in a text column starts with one of the ICD-10 prefixes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeCondition {
    pub column: ColumnRef,
    /// Prefixes without dots, such as `C187` for `C18.7`.
    pub prefixes: Vec<String>,
}

impl CodeCondition {
    /// Returns whether `code` starts with one of the prefixes, ignoring dots
    /// in the code, so `C18.7` and `C187` both match the prefix `C18.7`.
    pub fn matches(&self, code: &str) -> bool {
        let code = code.trim().as_bytes();
        self.prefixes.iter().any(|prefix| {
            let mut letters = code.iter().filter(|byte| **byte != b'.');
            prefix
                .bytes()
                .all(|expected| letters.next() == Some(&expected))
        })
    }
}

/// The date in a date column lies in the period, both ends included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateCondition {
    pub column: ColumnRef,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// The age in whole years at the date in a date column lies in the range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgeCondition {
    pub column: ColumnRef,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

/// A column named in a criterion, with the JSON pointer of the name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnRef {
    pub name: String,
    pub pointer: String,
}

/// An invalid part of a criterion: its JSON pointer and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CriterionError {
    /// JSON pointer (RFC 6901) of the bad part, `""` for the whole document.
    pub pointer: String,
    pub message: String,
}

impl CriterionError {
    pub fn new(pointer: &str, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for CriterionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() {
            "the criteria document"
        } else {
            &self.pointer
        };
        write!(f, "invalid criterion at {pointer}: {}", self.message)
    }
}

impl std::error::Error for CriterionError {}

/// Appends one reference token to a JSON pointer, escaping `~` and `/`.
fn child_pointer(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

type Object = serde_json::Map<String, serde_json::Value>;

impl Criterion {
    /// Parses and checks a criterion from JSON. The error names the first bad
    /// part by its JSON pointer.
    ///
    /// A criterion may sit at most [`MAX_DEPTH`] levels deep and a document
    /// may hold at most [`MAX_CRITERIA`] criteria, which keeps the recursive
    /// parser and evaluators within a small, known stack and time.
    pub fn parse(value: &serde_json::Value) -> Result<Criterion, CriterionError> {
        let mut size = Size::default();
        parse_criterion(value, "", &mut size)
    }

    /// Calls `visit` on every registry reference, in document order.
    pub fn registries(&self, visit: &mut impl FnMut(&RegistryRef)) {
        match self {
            Criterion::All(items) | Criterion::Any(items) => {
                items.iter().for_each(|item| item.registries(visit));
            }
            Criterion::Not(inner) => inner.registries(visit),
            Criterion::Present(registry) => visit(registry),
            Criterion::Event(event) => visit(&event.registry),
            Criterion::Sex(_) | Criterion::BirthYear(_) => {}
        }
    }

    /// Calls `visit` on every event criterion, in document order.
    pub fn events(&self, visit: &mut impl FnMut(&EventCriterion)) {
        match self {
            Criterion::All(items) | Criterion::Any(items) => {
                items.iter().for_each(|item| item.events(visit));
            }
            Criterion::Not(inner) => inner.events(visit),
            Criterion::Event(event) => visit(event),
            Criterion::Present(_) | Criterion::Sex(_) | Criterion::BirthYear(_) => {}
        }
    }
}

const CRITERION_KEYS: &str = "all, any, not, sex, birth_year, present, absent or event";

/// The deepest level a criterion may sit at inside `all`, `any` and `not`;
/// the top-level criterion is at level 1.
pub const MAX_DEPTH: usize = 32;

/// The most criteria one document may hold, counting every `all`, `any`,
/// `not` and leaf criterion.
pub const MAX_CRITERIA: usize = 1_000;

/// The most ICD-10 prefixes one code condition may list.
pub const MAX_PREFIXES: usize = 1_000;

/// The depth and count of the criteria parsed so far.
#[derive(Default)]
struct Size {
    depth: usize,
    criteria: usize,
}

fn parse_criterion(
    value: &serde_json::Value,
    pointer: &str,
    size: &mut Size,
) -> Result<Criterion, CriterionError> {
    size.criteria += 1;
    if size.criteria > MAX_CRITERIA {
        return Err(CriterionError::new(
            pointer,
            format!(
                "the document has more than {MAX_CRITERIA} criteria; \
                 combine code prefixes into one event criterion or split the cohort"
            ),
        ));
    }
    size.depth += 1;
    if size.depth > MAX_DEPTH {
        return Err(CriterionError::new(
            pointer,
            format!(
                "the criterion is nested more than {MAX_DEPTH} levels deep in all, any \
                 and not; flatten the nesting"
            ),
        ));
    }
    let parsed = parse_criterion_object(value, pointer, size);
    size.depth -= 1;
    parsed
}

fn parse_criterion_object(
    value: &serde_json::Value,
    pointer: &str,
    size: &mut Size,
) -> Result<Criterion, CriterionError> {
    let object = value.as_object().ok_or_else(|| {
        CriterionError::new(
            pointer,
            format!("expected an object with one key: {CRITERION_KEYS}"),
        )
    })?;
    let mut entries = object.iter();
    let (Some((key, inner)), None) = (entries.next(), entries.next()) else {
        return Err(CriterionError::new(
            pointer,
            format!(
                "expected exactly one key ({CRITERION_KEYS}), found {}",
                object.len()
            ),
        ));
    };
    let inner_pointer = child_pointer(pointer, key);
    let at = inner_pointer.as_str();
    match key.as_str() {
        "all" => parse_list(inner, at, size).map(Criterion::All),
        "any" => parse_list(inner, at, size).map(Criterion::Any),
        "not" => parse_criterion(inner, at, size).map(|c| Criterion::Not(Box::new(c))),
        "sex" => match inner.as_str() {
            Some("male") => Ok(Criterion::Sex(Sex::Male)),
            Some("female") => Ok(Criterion::Sex(Sex::Female)),
            _ => Err(CriterionError::new(at, "expected \"male\" or \"female\"")),
        },
        "birth_year" => parse_year_range(inner, at).map(Criterion::BirthYear),
        "present" => parse_registry(inner, at).map(Criterion::Present),
        "absent" => {
            parse_registry(inner, at).map(|r| Criterion::Not(Box::new(Criterion::Present(r))))
        }
        "event" => parse_event(inner, at).map(|e| Criterion::Event(Box::new(e))),
        other => Err(CriterionError::new(
            at,
            format!("unknown criterion `{other}`; use one of {CRITERION_KEYS}"),
        )),
    }
}

fn parse_list(
    value: &serde_json::Value,
    pointer: &str,
    size: &mut Size,
) -> Result<Vec<Criterion>, CriterionError> {
    let items = value
        .as_array()
        .ok_or_else(|| CriterionError::new(pointer, "expected an array of criteria"))?;
    if items.is_empty() {
        return Err(CriterionError::new(
            pointer,
            "the list is empty; give at least one criterion",
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            parse_criterion(item, &child_pointer(pointer, &index.to_string()), size)
        })
        .collect()
}

fn parse_registry(value: &serde_json::Value, pointer: &str) -> Result<RegistryRef, CriterionError> {
    match value.as_str() {
        Some(name) if !name.is_empty() => Ok(RegistryRef {
            name: name.to_owned(),
            pointer: pointer.to_owned(),
        }),
        _ => Err(CriterionError::new(
            pointer,
            "expected the name of a registry as a non-empty string",
        )),
    }
}

fn object_with<'a>(
    value: &'a serde_json::Value,
    pointer: &str,
    allowed: &[&str],
) -> Result<&'a Object, CriterionError> {
    let object = value.as_object().ok_or_else(|| {
        CriterionError::new(
            pointer,
            format!("expected an object with the keys {}", allowed.join(", ")),
        )
    })?;
    if let Some(key) = object.keys().find(|key| !allowed.contains(&key.as_str())) {
        return Err(CriterionError::new(
            &child_pointer(pointer, key),
            format!("unknown key `{key}`; allowed: {}", allowed.join(", ")),
        ));
    }
    Ok(object)
}

fn optional_integer(
    object: &Object,
    key: &str,
    pointer: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, CriterionError> {
    match object.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => match value.as_i64().filter(|n| range.contains(n)) {
            Some(number) => Ok(Some(number)),
            None => Err(CriterionError::new(
                &child_pointer(pointer, key),
                format!(
                    "expected a whole number from {} to {}",
                    range.start(),
                    range.end()
                ),
            )),
        },
    }
}

/// Years a birth year criterion accepts: the population registers begin
/// in the 1800s, and no number encodes a year past 2099.
const YEARS: std::ops::RangeInclusive<i64> = 1800..=2099;
/// Ages an age criterion accepts, in whole years.
const AGES: std::ops::RangeInclusive<i64> = 0..=150;

fn reversed(pointer: &str, from: i64, to: i64) -> CriterionError {
    CriterionError::new(
        pointer,
        format!("`from` {from} is after `to` {to}; swap the bounds"),
    )
}

fn parse_year_range(value: &serde_json::Value, pointer: &str) -> Result<YearRange, CriterionError> {
    let object = object_with(value, pointer, &["from", "to"])?;
    let from = optional_integer(object, "from", pointer, YEARS)?;
    let to = optional_integer(object, "to", pointer, YEARS)?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(reversed(pointer, from, to));
    }
    // YEARS keeps both bounds within i32.
    Ok(YearRange {
        from: from.and_then(|year| i32::try_from(year).ok()),
        to: to.and_then(|year| i32::try_from(year).ok()),
    })
}

fn parse_column(object: &Object, pointer: &str) -> Result<ColumnRef, CriterionError> {
    let at = child_pointer(pointer, "column");
    match object.get("column").and_then(|value| value.as_str()) {
        Some(name) if !name.is_empty() => Ok(ColumnRef {
            name: name.to_owned(),
            pointer: at,
        }),
        _ => Err(CriterionError::new(
            &at,
            "expected the name of a column of the registry as a non-empty string",
        )),
    }
}

fn parse_event(value: &serde_json::Value, pointer: &str) -> Result<EventCriterion, CriterionError> {
    let object = object_with(value, pointer, &["registry", "icd10", "date", "age"])?;
    let registry_pointer = child_pointer(pointer, "registry");
    let registry = parse_registry(
        object.get("registry").unwrap_or(&serde_json::Value::Null),
        &registry_pointer,
    )?;
    let icd10 = object
        .get("icd10")
        .map(|value| parse_codes(value, &child_pointer(pointer, "icd10")))
        .transpose()?;
    let date = object
        .get("date")
        .map(|value| parse_dates(value, &child_pointer(pointer, "date")))
        .transpose()?;
    let age = object
        .get("age")
        .map(|value| parse_ages(value, &child_pointer(pointer, "age")))
        .transpose()?;
    Ok(EventCriterion {
        registry,
        icd10,
        date,
        age,
    })
}

fn parse_codes(value: &serde_json::Value, pointer: &str) -> Result<CodeCondition, CriterionError> {
    let object = object_with(value, pointer, &["column", "prefixes"])?;
    let column = parse_column(object, pointer)?;
    let prefixes_pointer = child_pointer(pointer, "prefixes");
    let items = object
        .get("prefixes")
        .and_then(|value| value.as_array())
        .filter(|items| !items.is_empty())
        .ok_or_else(|| {
            CriterionError::new(
                &prefixes_pointer,
                "expected a non-empty array of ICD-10 code prefixes such as \"C18\"",
            )
        })?;
    if items.len() > MAX_PREFIXES {
        return Err(CriterionError::new(
            &prefixes_pointer,
            format!(
                "{} prefixes are more than the limit of {MAX_PREFIXES}; \
                 use shorter prefixes that cover several codes",
                items.len()
            ),
        ));
    }
    let prefixes = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let at = child_pointer(&prefixes_pointer, &index.to_string());
            match item.as_str() {
                Some(prefix) if is_icd10_prefix(prefix) => {
                    Ok(prefix.chars().filter(|c| *c != '.').collect())
                }
                _ => Err(CriterionError::new(
                    &at,
                    "not an ICD-10 code prefix; write an upper-case letter, up to two digits \
                     and, after two digits, optionally a dot and one or two digits, \
                     e.g. C, C5, C50 or C50.9",
                )),
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(CodeCondition { column, prefixes })
}

/// Returns whether `prefix` is an upper-case letter, up to two digits and,
/// after two digits, optionally a dot and one or two digits.
pub fn is_icd10_prefix(prefix: &str) -> bool {
    let bytes = prefix.as_bytes();
    let Some((first, rest)) = bytes.split_first() else {
        return false;
    };
    if !first.is_ascii_uppercase() {
        return false;
    }
    let (category, subcategory) = match rest.iter().position(|byte| *byte == b'.') {
        Some(dot) => (&rest[..dot], Some(&rest[dot + 1..])),
        None => (rest, None),
    };
    let digits = |part: &[u8]| part.iter().all(u8::is_ascii_digit);
    match subcategory {
        None => category.len() <= 2 && digits(category),
        Some(sub) => {
            category.len() == 2 && digits(category) && (1..=2).contains(&sub.len()) && digits(sub)
        }
    }
}

fn parse_dates(value: &serde_json::Value, pointer: &str) -> Result<DateCondition, CriterionError> {
    let object = object_with(value, pointer, &["column", "from", "to"])?;
    let column = parse_column(object, pointer)?;
    let date = |key: &str| -> Result<Option<NaiveDate>, CriterionError> {
        match object.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(value) => value
                .as_str()
                .and_then(|text| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
                .map(Some)
                .ok_or_else(|| {
                    CriterionError::new(
                        &child_pointer(pointer, key),
                        "expected an existing date written YYYY-MM-DD",
                    )
                }),
        }
    };
    let from = date("from")?;
    let to = date("to")?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(CriterionError::new(
            pointer,
            format!("`from` {from} is after `to` {to}; swap the dates"),
        ));
    }
    Ok(DateCondition { column, from, to })
}

fn parse_ages(value: &serde_json::Value, pointer: &str) -> Result<AgeCondition, CriterionError> {
    let object = object_with(value, pointer, &["column", "from", "to"])?;
    let column = parse_column(object, pointer)?;
    let from = optional_integer(object, "from", pointer, AGES)?;
    let to = optional_integer(object, "to", pointer, AGES)?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(reversed(pointer, from, to));
    }
    // AGES keeps both bounds within u32.
    Ok(AgeCondition {
        column,
        from: from.and_then(|age| u32::try_from(age).ok()),
        to: to.and_then(|age| u32::try_from(age).ok()),
    })
}

#[cfg(test)]
mod criterion_tests {
    use serde_json::json;

    use super::*;

    fn parse_error(value: serde_json::Value) -> CriterionError {
        Criterion::parse(&value).unwrap_err()
    }

    #[test]
    fn combined_criteria_parse() {
        let criterion = Criterion::parse(&json!({"all": [
            {"event": {"registry": "cancer",
                       "icd10": {"column": "icd10", "prefixes": ["C18.7", "C2"]},
                       "date": {"column": "diagnosis_date", "from": "2010-01-01"},
                       "age": {"column": "diagnosis_date", "from": 18, "to": 80}}},
            {"any": [{"sex": "female"}, {"birth_year": {"from": 1950, "to": 1960}}]},
            {"absent": "quality"}
        ]}))
        .unwrap();
        let Criterion::All(items) = &criterion else {
            panic!("{criterion:?}");
        };
        assert_eq!(items.len(), 3);
        let Criterion::Event(event) = &items[0] else {
            panic!("{:?}", items[0]);
        };
        assert_eq!(event.registry.name, "cancer");
        assert_eq!(event.icd10.as_ref().unwrap().prefixes, ["C187", "C2"]);
        assert_eq!(event.age.as_ref().unwrap().to, Some(80));
        assert!(
            matches!(&items[2], Criterion::Not(inner) if matches!(**inner, Criterion::Present(_)))
        );
        let mut names = Vec::new();
        criterion.registries(&mut |registry| names.push(registry.name.clone()));
        assert_eq!(names, ["cancer", "quality"]);
    }

    #[test]
    fn bad_prefix_pointed_at() {
        let error = parse_error(
            json!({"all": [{"sex": "male"}, {"event": {"registry": "cancer",
            "icd10": {"column": "icd10", "prefixes": ["C18", "c50"]}}}]}),
        );
        assert_eq!(error.pointer, "/all/1/event/icd10/prefixes/1");
        assert!(
            error.to_string().contains("/all/1/event/icd10/prefixes/1"),
            "{error}"
        );
    }

    #[test]
    fn unknown_key_pointed_at() {
        let error = parse_error(json!({"any": [{"sexx": "male"}]}));
        assert_eq!(error.pointer, "/any/0/sexx");
        let error = parse_error(json!({"event": {"registry": "cancer", "when": {}}}));
        assert_eq!(error.pointer, "/event/when");
    }

    #[test]
    fn reversed_ranges_rejected() {
        assert_eq!(
            parse_error(json!({"birth_year": {"from": 2000, "to": 1990}})).pointer,
            "/birth_year"
        );
        let error = parse_error(json!({"not": {"event": {"registry": "cancer",
            "date": {"column": "d", "from": "2020-01-02", "to": "2020-01-01"}}}}));
        assert_eq!(error.pointer, "/not/event/date");
    }

    #[test]
    fn invalid_values_pointed_at() {
        let cases = [
            (json!({"sex": "m"}), "/sex"),
            (json!({"birth_year": {"from": "1950"}}), "/birth_year/from"),
            (json!({"event": {"registry": ""}}), "/event/registry"),
            (
                json!({"event": {"registry": "x", "date": {"column": "d", "to": "2021-02-29"}}}),
                "/event/date/to",
            ),
            (
                json!({"event": {"registry": "x", "age": {"from": 1}}}),
                "/event/age/column",
            ),
            (
                json!({"event": {"registry": "x", "age": {"column": "d", "to": -1}}}),
                "/event/age/to",
            ),
            (json!({"all": []}), "/all"),
            (json!({"all": [{"sex": "male"}], "any": []}), ""),
            (json!([]), ""),
            (json!({"present": {"a/b": 1}}), "/present"),
        ];
        for (value, pointer) in cases {
            assert_eq!(parse_error(value.clone()).pointer, pointer, "{value}");
        }
    }

    #[test]
    fn pointer_tokens_escaped() {
        let error = parse_error(json!({"event": {"registry": "x", "a/b~": 1}}));
        assert_eq!(error.pointer, "/event/a~1b~0");
    }

    #[test]
    fn icd10_prefixes() {
        for prefix in ["C", "C1", "C18", "C18.7", "K50.12", "Z99"] {
            assert!(is_icd10_prefix(prefix), "{prefix}");
        }
        for prefix in ["", "c18", "C181", "C1.8", "C18.", "C18.123", "18", "CC"] {
            assert!(!is_icd10_prefix(prefix), "{prefix}");
        }
    }

    #[test]
    fn code_condition_ignores_dots() {
        let condition = CodeCondition {
            column: ColumnRef {
                name: "icd10".into(),
                pointer: String::new(),
            },
            prefixes: vec!["C187".into(), "D0".into()],
        };
        assert!(condition.matches("C18.7"));
        assert!(condition.matches("C187"));
        assert!(condition.matches("D05.1"));
        assert!(!condition.matches("C18.6"));
        assert!(!condition.matches("C1"));
    }

    #[test]
    fn year_range_inclusive() {
        let range = YearRange {
            from: Some(1950),
            to: Some(1960),
        };
        assert!(range.contains(1950));
        assert!(range.contains(1960));
        assert!(!range.contains(1961));
        assert!(
            YearRange {
                from: None,
                to: None
            }
            .contains(1800)
        );
    }

    /// Wraps a `sex` criterion in `levels` nested `not`s.
    fn nested_not(levels: usize) -> serde_json::Value {
        let mut value = json!({"sex": "male"});
        for _ in 0..levels {
            value = json!({ "not": value });
        }
        value
    }

    #[test]
    fn nesting_at_max_depth_parses() {
        // The leaf sits at level MAX_DEPTH under MAX_DEPTH - 1 `not`s.
        assert!(Criterion::parse(&nested_not(MAX_DEPTH - 1)).is_ok());
    }

    #[test]
    fn nesting_over_max_depth_rejected() {
        let error = parse_error(nested_not(MAX_DEPTH));
        assert_eq!(error.pointer, "/not".repeat(MAX_DEPTH));
        assert!(error.message.contains("32 levels"), "{}", error.message);
    }

    #[test]
    fn very_deep_nesting_rejected_early() {
        let error = parse_error(nested_not(2_000));
        assert_eq!(error.pointer.len(), "/not".len() * MAX_DEPTH);
    }

    #[test]
    fn criteria_count_limited() {
        let leaves = |count: usize| vec![json!({"sex": "female"}); count];
        // `any` itself is one criterion, so MAX_CRITERIA - 1 leaves fit.
        assert!(Criterion::parse(&json!({ "any": leaves(MAX_CRITERIA - 1) })).is_ok());

        let error = parse_error(json!({ "any": leaves(MAX_CRITERIA) }));
        assert_eq!(error.pointer, format!("/any/{}", MAX_CRITERIA - 1));
        assert!(error.message.contains("1000 criteria"), "{}", error.message);
    }

    #[test]
    fn prefix_count_limited() {
        let event = |count: usize| {
            json!({"event": {"registry": "cancer",
                "icd10": {"column": "icd10", "prefixes": vec!["C18"; count]}}})
        };
        assert!(Criterion::parse(&event(MAX_PREFIXES)).is_ok());

        let error = parse_error(event(MAX_PREFIXES + 1));
        assert_eq!(error.pointer, "/event/icd10/prefixes");
        assert!(error.message.contains("limit of 1000"), "{}", error.message);
    }
}
