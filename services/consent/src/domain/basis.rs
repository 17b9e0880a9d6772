//! The legal basis of each registry, loaded from configuration.

use hap_contracts::criteria::Registry;
use serde::{Deserialize, Serialize};

/// The legal ground on which a registry may be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasisKind {
    /// Established by law; no consent needed, only the purposes the law allows.
    Statutory,
    /// Holds only people who consented, for the purposes they consented to.
    ConsentBased,
}

/// A registry's legal basis and data-use conditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryBasis {
    pub registry: Registry,
    pub kind: BasisKind,
    /// GA4GH Data Use Ontology terms, e.g. `DUO:0000042` (general research use).
    pub duo_terms: Vec<String>,
    /// Whether commercial purposes may use the registry.
    pub commercial_use: bool,
    /// Whether health research needs an ethics committee approval reference.
    pub ethics_approval_required: bool,
    /// For disease-specific consent: the ICD-10 prefixes the consent covers.
    #[serde(default)]
    pub disease_codes: Vec<String>,
}
