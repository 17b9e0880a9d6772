//! Event payloads, one type per routing key. The envelope's `version` is the
//! schema version of the payload; every payload here is version 1.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::application::{
    DataRequest, DisclosureLevel, LegalBasisClaims, Purpose, Recipient, RegistryRequest,
};
use crate::criteria::{CohortCriteria, Registry};

pub const APPLICATION_SUBMITTED: &str = "application.submitted";
pub const APPLICATION_APPROVED: &str = "application.approved";
pub const LEGAL_BASIS_ASSESSED: &str = "legal_basis.assessed";
pub const LEGAL_BASIS_CLEARED: &str = "legal_basis.cleared";
pub const LEGAL_BASIS_REJECTED: &str = "legal_basis.rejected";
pub const LINKAGE_COMPLETED: &str = "linkage.completed";
pub const LINKAGE_FAILED: &str = "linkage.failed";
pub const ANONYMIZATION_COMPLETED: &str = "anonymization.completed";
pub const ANONYMIZATION_REJECTED: &str = "anonymization.rejected";
pub const DELIVERY_READY: &str = "delivery.ready";
pub const DELIVERY_FAILED: &str = "delivery.failed";

/// Every payload's schema version.
pub const VERSION: u16 = 1;

/// A file in the work store, passed by reference (claim check).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectRef {
    /// The key relative to the work store's root.
    pub key: String,
    pub sha256: String,
    pub bytes: u64,
}

/// `application.submitted`: a version of an application was frozen and submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSubmitted {
    pub application_id: Uuid,
    pub version: i32,
    pub project_id: Uuid,
    pub purpose: Purpose,
    pub request: DataRequest,
    pub legal_basis: LegalBasisClaims,
}

/// `application.approved`: a case handler approved the submitted version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationApproved {
    pub application_id: Uuid,
    pub version: i32,
    pub project_id: Uuid,
    pub project_title: String,
    pub purpose: Purpose,
    pub request: DataRequest,
    pub legal_basis: LegalBasisClaims,
    pub recipients: Vec<Recipient>,
    pub valid_until: NaiveDate,
    pub decided_by: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Permitted,
    NeedsReview,
    NotPermitted,
}

/// The legal-basis verdict for one requested registry, with its reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryAssessment {
    pub registry: Registry,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentStage {
    Submission,
    Approval,
}

/// `legal_basis.assessed`: the consent service's assessment of a version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasisAssessed {
    pub application_id: Uuid,
    pub version: i32,
    pub stage: AssessmentStage,
    pub registries: Vec<RegistryAssessment>,
}

/// The machine-readable permit the pipeline acts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permit {
    pub permit_id: Uuid,
    pub application_id: Uuid,
    pub application_version: i32,
    pub project_id: Uuid,
    pub project_title: String,
    pub purpose: Purpose,
    pub registries: Vec<RegistryRequest>,
    pub criteria: CohortCriteria,
    pub disclosure_level: DisclosureLevel,
    pub recipients: Vec<Recipient>,
    pub valid_until: NaiveDate,
    pub issued_at: DateTime<Utc>,
}

/// The persons whose data from one registry must be left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionList {
    pub registry: Registry,
    /// Hex HMAC-SHA256 person hashes under the platform key, one per line.
    pub object: ObjectRef,
    pub count: u64,
}

/// `legal_basis.cleared`: the final check passed; the permit is issued.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalBasisCleared {
    pub permit: Permit,
    pub exclusions: Vec<ExclusionList>,
}

/// A `*.failed` or `*.rejected` event: the case goes back to a case handler.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepFailed {
    pub application_id: Uuid,
    pub reason: String,
}

/// `linkage.completed`: the linked pseudonymous dataset is in the work store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkageCompleted {
    pub permit: Permit,
    pub dataset: ObjectRef,
    pub report: ObjectRef,
    pub cohort_size: u64,
}

/// `anonymization.completed`: the released dataset passed disclosure control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymizationCompleted {
    pub permit: Permit,
    pub dataset: ObjectRef,
    pub report: ObjectRef,
    pub linkage_report: ObjectRef,
    pub k: u64,
    pub records_suppressed: u64,
    pub rows: u64,
}

/// `delivery.ready`: the encrypted package can be downloaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryReady {
    pub application_id: Uuid,
    pub delivery_id: Uuid,
    pub files: Vec<String>,
    pub expires_on: NaiveDate,
}
