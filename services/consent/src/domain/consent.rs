//! Consent and opt-out events and the data-use scope of a consent.

use std::fmt;
use std::str::FromStr;

use hap_contracts::application::Purpose;
use hap_contracts::criteria::CohortCriteria;
use serde::{Deserialize, Serialize};

use super::basis::BasisKind;

/// One entry in a person's consent history for a registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventKind {
    /// Consent given, with its scope.
    Given,
    /// The scope of a given consent changed.
    Changed,
    /// Consent withdrawn.
    Withdrawn,
    /// The person opted out of secondary use of their health data.
    OptedOut,
    /// The person revoked an earlier opt-out.
    OptOutRevoked,
}

impl EventKind {
    pub const ALL: [EventKind; 5] = [
        EventKind::Given,
        EventKind::Changed,
        EventKind::Withdrawn,
        EventKind::OptedOut,
        EventKind::OptOutRevoked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Given => "given",
            EventKind::Changed => "changed",
            EventKind::Withdrawn => "withdrawn",
            EventKind::OptedOut => "opted-out",
            EventKind::OptOutRevoked => "opt-out-revoked",
        }
    }

    /// Returns whether the event belongs to the consent history (as opposed to the
    /// opt-out history).
    pub fn is_consent(self) -> bool {
        matches!(
            self,
            EventKind::Given | EventKind::Changed | EventKind::Withdrawn
        )
    }

    /// Returns whether the event ends the use of the person's data.
    pub fn is_withdrawal(self) -> bool {
        matches!(self, EventKind::Withdrawn | EventKind::OptedOut)
    }

    /// Returns whether a registry of `kind` records this event: consent-based
    /// registries record every event, opt-out registries only opt-outs and
    /// statutory registries none.
    pub fn recorded_by(self, kind: BasisKind) -> bool {
        match kind {
            BasisKind::ConsentBased => true,
            BasisKind::OptOut => !self.is_consent(),
            BasisKind::Statutory => false,
        }
    }
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        EventKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
                format!("expected one of {}", names.join(", "))
            })
    }
}

/// What a person consented to, in Data Use Ontology shorthand: `GRU`
/// (general research use), `HMB` (health or medical research only) or
/// `DS:<prefixes>` (research on the diseases whose ICD-10 codes start with
/// one of the space-separated prefixes, e.g. `DS:C18 C19 C20`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    GeneralResearch,
    HealthMedicalResearch,
    Disease(Vec<String>),
}

impl Scope {
    /// Returns whether a project with `purpose` and `criteria` lies inside the scope.
    /// A disease-specific consent covers a cohort only when every
    /// diagnosis code of the cohort starts with one of its prefixes.
    pub fn covers(&self, purpose: &Purpose, criteria: &CohortCriteria) -> bool {
        match self {
            Scope::GeneralResearch => true,
            Scope::HealthMedicalResearch => purpose.health_research,
            Scope::Disease(prefixes) => {
                purpose.health_research
                    && !criteria.diagnosis_codes.is_empty()
                    && criteria.diagnosis_codes.iter().all(|code| {
                        prefixes
                            .iter()
                            .any(|prefix| code.starts_with(prefix.as_str()))
                    })
            }
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::GeneralResearch => f.write_str("GRU"),
            Scope::HealthMedicalResearch => f.write_str("HMB"),
            Scope::Disease(prefixes) => write!(f, "DS:{}", prefixes.join(" ")),
        }
    }
}

impl FromStr for Scope {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "GRU" => return Ok(Scope::GeneralResearch),
            "HMB" => return Ok(Scope::HealthMedicalResearch),
            _ => {}
        }
        let Some(codes) = text.strip_prefix("DS:") else {
            return Err("expected GRU, HMB or DS:<ICD-10 prefixes>".into());
        };
        let prefixes: Vec<String> = codes.split_whitespace().map(str::to_owned).collect();
        let valid = |prefix: &String| {
            let mut chars = prefix.chars();
            prefix.len() <= 5
                && chars.next().is_some_and(|c| c.is_ascii_uppercase())
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '.')
        };
        if prefixes.is_empty() || !prefixes.iter().all(valid) {
            return Err(
                "DS: needs space-separated ICD-10 code prefixes such as `DS:C18 C19`".into(),
            );
        }
        Ok(Scope::Disease(prefixes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purpose(health_research: bool) -> Purpose {
        Purpose {
            description: "survival after surgery".into(),
            health_research,
            commercial: false,
        }
    }

    fn criteria(codes: &[&str]) -> CohortCriteria {
        CohortCriteria {
            diagnosis_codes: codes.iter().map(|c| (*c).to_owned()).collect(),
            diagnosed_from: None,
            diagnosed_to: None,
        }
    }

    #[test]
    fn scope_round_trips() {
        for text in ["GRU", "HMB", "DS:C18 C19"] {
            assert_eq!(text.parse::<Scope>().unwrap().to_string(), text);
        }
    }

    #[test]
    fn invalid_scopes_rejected() {
        for text in ["", "gru", "DS:", "DS:c18", "DS:C18;C19", "NCU"] {
            assert!(text.parse::<Scope>().is_err(), "{text}");
        }
    }

    #[test]
    fn disease_scope_covers_listed_codes_only() {
        let scope: Scope = "DS:C18 C19".parse().unwrap();
        assert!(scope.covers(&purpose(true), &criteria(&["C18", "C19.1"])));
        assert!(!scope.covers(&purpose(true), &criteria(&["C18", "C20"])));
        assert!(!scope.covers(&purpose(true), &criteria(&["C1"])));
        assert!(!scope.covers(&purpose(false), &criteria(&["C18"])));
    }

    #[test]
    fn health_scope_needs_health_research() {
        let scope = Scope::HealthMedicalResearch;
        assert!(scope.covers(&purpose(true), &criteria(&["C50"])));
        assert!(!scope.covers(&purpose(false), &criteria(&["C50"])));
    }

    #[test]
    fn opt_out_registry_records_opt_outs_only() {
        assert!(EventKind::OptedOut.recorded_by(BasisKind::OptOut));
        assert!(!EventKind::Given.recorded_by(BasisKind::OptOut));
        assert!(EventKind::Given.recorded_by(BasisKind::ConsentBased));
        assert!(!EventKind::OptedOut.recorded_by(BasisKind::Statutory));
    }
}
