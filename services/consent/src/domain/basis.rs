//! The legal basis of each registry, loaded from configuration.

use hap_contracts::criteria::Registry;
use serde::{Deserialize, Serialize};

use super::duo::DuoTerm;

/// The legal ground on which a registry may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasisKind {
    /// Established by law, so no consent is needed. Only the purposes the
    /// law allows may use it, and citizens cannot opt out.
    Statutory,
    /// Established by law, but citizens may opt out of secondary use. An
    /// opt-out takes effect for permits issued on or after its date.
    OptOut,
    /// Holds only people who consented, for the purposes they consented to.
    /// Consent can be withdrawn, and citizens may also opt out.
    ConsentBased,
}

impl BasisKind {
    /// Returns whether a permit can leave persons out of the registry.
    pub fn has_exclusions(self) -> bool {
        self != BasisKind::Statutory
    }
}

/// A registry's legal basis and data-use conditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryBasis {
    pub registry: Registry,
    pub kind: BasisKind,
    /// GA4GH Data Use Ontology terms, e.g. `DUO:0000042` (general research
    /// use): exactly one data use permission and any number of modifiers.
    pub duo_terms: Vec<DuoTerm>,
    /// Whether commercial purposes may use the registry.
    pub commercial_use: bool,
    /// Whether health research needs an ethics committee approval reference.
    pub ethics_approval_required: bool,
    /// For disease-specific research (`DUO:0000007`): the ICD-10 prefixes
    /// the registry's consent covers.
    #[serde(default)]
    pub disease_codes: Vec<String>,
    /// For a time limit on use (`DUO:0000025`): the longest permit period,
    /// in months.
    #[serde(default)]
    pub time_limit_months: Option<u32>,
}

impl RegistryBasis {
    pub fn has(&self, term: DuoTerm) -> bool {
        self.duo_terms.contains(&term)
    }

    /// Checks that the DUO terms and the other fields agree; returns the
    /// reason when they do not.
    pub fn validate(&self) -> Result<(), String> {
        let name = self.registry.name();
        let permissions = self.duo_terms.iter().filter(|t| t.is_permission()).count();
        if permissions != 1 {
            return Err(format!(
                "registry `{name}` names {permissions} DUO data use permissions; \
                 name exactly one of NRES, GRU, HMB, DS or POA"
            ));
        }
        if let Some(term) = self.duo_terms.iter().find(|t| t.forbids_commercial_use())
            && self.commercial_use
        {
            return Err(format!(
                "registry `{name}` allows commercial use, but {term} forbids it; \
                 set commercial_use = false or remove the term"
            ));
        }
        if self.has(DuoTerm::EthicsApprovalRequired) && !self.ethics_approval_required {
            return Err(format!(
                "registry `{name}` names {} but sets ethics_approval_required = false",
                DuoTerm::EthicsApprovalRequired
            ));
        }
        let disease_specific = self.has(DuoTerm::DiseaseSpecificResearch);
        if disease_specific == self.disease_codes.is_empty() {
            return Err(format!(
                "registry `{name}`: {} and disease_codes go together; \
                 give both or neither",
                DuoTerm::DiseaseSpecificResearch
            ));
        }
        if self.has(DuoTerm::TimeLimit) != self.time_limit_months.is_some() {
            return Err(format!(
                "registry `{name}`: {} and time_limit_months go together; \
                 give both or neither",
                DuoTerm::TimeLimit
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basis(terms: &[DuoTerm]) -> RegistryBasis {
        RegistryBasis {
            registry: Registry::Cancer,
            kind: BasisKind::Statutory,
            duo_terms: terms.to_vec(),
            commercial_use: false,
            ethics_approval_required: true,
            disease_codes: Vec::new(),
            time_limit_months: None,
        }
    }

    #[test]
    fn one_permission_valid() {
        let valid = basis(&[DuoTerm::HealthMedicalResearch, DuoTerm::PublicationRequired]);
        assert_eq!(valid.validate(), Ok(()));
    }

    #[test]
    fn two_permissions_invalid() {
        let invalid = basis(&[DuoTerm::HealthMedicalResearch, DuoTerm::GeneralResearchUse]);
        assert!(invalid.validate().unwrap_err().contains("exactly one"));
    }

    #[test]
    fn commercial_use_against_ncu_invalid() {
        let mut invalid = basis(&[DuoTerm::GeneralResearchUse, DuoTerm::NonCommercialUse]);
        invalid.commercial_use = true;
        assert!(invalid.validate().unwrap_err().contains("DUO:0000046"));
    }

    #[test]
    fn disease_specific_without_codes_invalid() {
        let invalid = basis(&[DuoTerm::DiseaseSpecificResearch]);
        assert!(invalid.validate().unwrap_err().contains("disease_codes"));
    }

    #[test]
    fn time_limit_without_months_invalid() {
        let invalid = basis(&[DuoTerm::GeneralResearchUse, DuoTerm::TimeLimit]);
        assert!(
            invalid
                .validate()
                .unwrap_err()
                .contains("time_limit_months")
        );
    }
}
