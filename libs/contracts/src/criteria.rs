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
            let two_digits = digit(2);
            let category = (bytes[1] - b'0') * 10 + bytes[2].wrapping_sub(b'0');
            let subcategory = bytes.len() == 3 || (bytes[3] == b'.' && digit(4));
            two_digits && category <= 97 && subcategory
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
