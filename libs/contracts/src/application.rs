//! The data request and legal-basis claims an applicant submits.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::criteria::{CohortCriteria, Registry};

/// The level of identifiability the released data may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisclosureLevel {
    /// Frequency tables only.
    Aggregate,
    /// Microdata meeting k-anonymity, without pseudonyms.
    Anonymous,
    /// Microdata with per-project pseudonyms, for approved research.
    Pseudonymous,
}

/// The variables requested from one registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistryRequest {
    pub registry: Registry,
    pub variables: Vec<String>,
}

/// The data an applicant requests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataRequest {
    pub registries: Vec<RegistryRequest>,
    pub criteria: CohortCriteria,
    pub disclosure_level: DisclosureLevel,
}

/// The purpose of the project, as the legal-basis assessment reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Purpose {
    pub description: String,
    /// Medical and health research, which needs ethics approval.
    pub health_research: bool,
    pub commercial: bool,
}

/// The grounds the applicant claims under GDPR and national law.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalBasisClaims {
    /// Article 6(1) ground, e.g. `e` (public interest) or `a` (consent).
    pub gdpr_article_6: Option<String>,
    /// Article 9(2) ground, e.g. `j` (research) or `a` (explicit consent).
    pub gdpr_article_9: Option<String>,
    /// Reference of the regional ethics committee approval.
    pub ethics_approval: Option<String>,
    pub ethics_approval_date: Option<NaiveDate>,
    /// Whether a data protection impact assessment was done.
    pub dpia_done: bool,
}

/// A person who may download the delivery, with their Crypt4GH public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The recipient's `sub` claim.
    pub subject: String,
    /// The Crypt4GH public key file content (`-----BEGIN CRYPT4GH PUBLIC KEY-----` ...).
    pub public_key: String,
}
