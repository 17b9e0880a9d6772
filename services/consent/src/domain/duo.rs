//! The GA4GH Data Use Ontology (DUO) terms a registry's data-use conditions
//! are written in, as listed in the ontology's `duo.csv`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A DUO term the platform enforces in the assessment or writes into the
/// permit as a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DuoTerm {
    /// NRES, `DUO:0000004`: no restriction on data use.
    NoRestriction,
    /// GRU, `DUO:0000042`: general research use.
    GeneralResearchUse,
    /// HMB, `DUO:0000006`: health, medical or biomedical research only.
    HealthMedicalResearch,
    /// DS, `DUO:0000007`: research on the registry's listed diseases only.
    DiseaseSpecificResearch,
    /// POA, `DUO:0000011`: population origins or ancestry research only.
    PopulationOriginsResearch,
    /// NPUNCU, `DUO:0000018`: not-for-profit, non-commercial use only.
    NotForProfitNonCommercial,
    /// NPU, `DUO:0000045`: use by not-for-profit organisations only.
    NotForProfitOrganisation,
    /// NCU, `DUO:0000046`: non-commercial use only.
    NonCommercialUse,
    /// IRB, `DUO:0000021`: ethics approval required.
    EthicsApprovalRequired,
    /// PUB, `DUO:0000019`: publication required.
    PublicationRequired,
    /// COL, `DUO:0000020`: collaboration with the primary investigators required.
    CollaborationRequired,
    /// GS, `DUO:0000022`: geographical restriction.
    GeographicalRestriction,
    /// MOR, `DUO:0000024`: publication moratorium.
    PublicationMoratorium,
    /// TS, `DUO:0000025`: time limit on use.
    TimeLimit,
    /// US, `DUO:0000026`: use by approved users only.
    UserSpecific,
    /// PS, `DUO:0000027`: use by the approved project only.
    ProjectSpecific,
    /// IS, `DUO:0000028`: use by approved institutions only.
    InstitutionSpecific,
    /// RTN, `DUO:0000029`: derived data must be returned to the registry.
    ReturnToResource,
}

/// Every known term with its identifier and shorthand.
const TERMS: [(DuoTerm, &str, &str); 18] = [
    (DuoTerm::NoRestriction, "DUO:0000004", "NRES"),
    (DuoTerm::GeneralResearchUse, "DUO:0000042", "GRU"),
    (DuoTerm::HealthMedicalResearch, "DUO:0000006", "HMB"),
    (DuoTerm::DiseaseSpecificResearch, "DUO:0000007", "DS"),
    (DuoTerm::PopulationOriginsResearch, "DUO:0000011", "POA"),
    (DuoTerm::NotForProfitNonCommercial, "DUO:0000018", "NPUNCU"),
    (DuoTerm::NotForProfitOrganisation, "DUO:0000045", "NPU"),
    (DuoTerm::NonCommercialUse, "DUO:0000046", "NCU"),
    (DuoTerm::EthicsApprovalRequired, "DUO:0000021", "IRB"),
    (DuoTerm::PublicationRequired, "DUO:0000019", "PUB"),
    (DuoTerm::CollaborationRequired, "DUO:0000020", "COL"),
    (DuoTerm::GeographicalRestriction, "DUO:0000022", "GS"),
    (DuoTerm::PublicationMoratorium, "DUO:0000024", "MOR"),
    (DuoTerm::TimeLimit, "DUO:0000025", "TS"),
    (DuoTerm::UserSpecific, "DUO:0000026", "US"),
    (DuoTerm::ProjectSpecific, "DUO:0000027", "PS"),
    (DuoTerm::InstitutionSpecific, "DUO:0000028", "IS"),
    (DuoTerm::ReturnToResource, "DUO:0000029", "RTN"),
];

impl DuoTerm {
    /// Returns the identifier, e.g. `DUO:0000042`.
    pub fn id(self) -> &'static str {
        TERMS
            .iter()
            .find(|(term, _, _)| *term == self)
            .map_or("", |(_, id, _)| id)
    }

    /// Returns the shorthand, e.g. `GRU`.
    pub fn shorthand(self) -> &'static str {
        TERMS
            .iter()
            .find(|(term, _, _)| *term == self)
            .map_or("", |(_, _, shorthand)| shorthand)
    }

    /// Returns whether the term is a data use permission (the primary category).
    pub fn is_permission(self) -> bool {
        matches!(
            self,
            DuoTerm::NoRestriction
                | DuoTerm::GeneralResearchUse
                | DuoTerm::HealthMedicalResearch
                | DuoTerm::DiseaseSpecificResearch
                | DuoTerm::PopulationOriginsResearch
        )
    }

    /// Returns whether the term forbids commercial use.
    pub fn forbids_commercial_use(self) -> bool {
        matches!(
            self,
            DuoTerm::NotForProfitNonCommercial
                | DuoTerm::NotForProfitOrganisation
                | DuoTerm::NonCommercialUse
        )
    }

    /// Returns the obligation the term puts on the project, for the permit,
    /// or `None` where the assessment enforces the term in full.
    pub fn obligation(self) -> Option<&'static str> {
        match self {
            DuoTerm::PublicationRequired => {
                Some("make the results available to the scientific community")
            }
            DuoTerm::CollaborationRequired => {
                Some("collaborate with the registry's primary investigators")
            }
            DuoTerm::GeographicalRestriction => {
                Some("use the data only in the approved geographical area")
            }
            DuoTerm::PublicationMoratorium => {
                Some("publish no results before the registry's moratorium ends")
            }
            DuoTerm::TimeLimit => Some("use the data only within the registry's time limit"),
            DuoTerm::UserSpecific => Some("only the approved recipients may use the data"),
            DuoTerm::ProjectSpecific => Some("use the data only in the approved project"),
            DuoTerm::InstitutionSpecific => Some("use the data only in the approved institutions"),
            DuoTerm::ReturnToResource => Some("return derived data to the registry"),
            DuoTerm::NotForProfitOrganisation => {
                Some("only not-for-profit organisations may use the data")
            }
            _ => None,
        }
    }
}

impl fmt::Display for DuoTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.id(), self.shorthand())
    }
}

impl FromStr for DuoTerm {
    type Err = String;

    /// Parses an identifier such as `DUO:0000042`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        TERMS
            .iter()
            .find(|(_, id, _)| *id == text)
            .map(|(term, _, _)| *term)
            .ok_or_else(|| {
                let known: Vec<&str> = TERMS.iter().map(|(_, id, _)| *id).collect();
                format!(
                    "`{text}` is not a supported DUO term; use one of {}",
                    known.join(", ")
                )
            })
    }
}

impl Serialize for DuoTerm {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

impl<'de> Deserialize<'de> for DuoTerm {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_round_trip() {
        for (term, id, _) in TERMS {
            assert_eq!(id.parse::<DuoTerm>().unwrap(), term);
            assert_eq!(term.id(), id);
        }
    }

    #[test]
    fn unknown_identifier_rejected() {
        let error = "DUO:9999999".parse::<DuoTerm>().unwrap_err();
        assert!(error.contains("DUO:0000042"), "{error}");
    }
}
