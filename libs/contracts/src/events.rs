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
pub const APPLICATION_STATE_CHANGED: &str = "application.state_changed";
pub const LEGAL_BASIS_ASSESSED: &str = "legal_basis.assessed";
pub const LEGAL_BASIS_CLEARED: &str = "legal_basis.cleared";
pub const LEGAL_BASIS_REJECTED: &str = "legal_basis.rejected";
pub const LINKAGE_COMPLETED: &str = "linkage.completed";
pub const LINKAGE_FAILED: &str = "linkage.failed";
pub const ANONYMIZATION_COMPLETED: &str = "anonymization.completed";
pub const ANONYMIZATION_REJECTED: &str = "anonymization.rejected";
pub const DELIVERY_READY: &str = "delivery.ready";
pub const DELIVERY_FAILED: &str = "delivery.failed";
pub const DELIVERY_DELETED: &str = "delivery.deleted";
pub const PERMIT_REVOKED: &str = "permit.revoked";
pub const CONSENT_WITHDRAWN: &str = "consent.withdrawn";

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

/// `application.state_changed`: a command or a pipeline event changed an
/// application; emitted for every transition, including one that keeps the
/// state (a claim of a case already in review).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationStateChanged {
    pub application_id: Uuid,
    /// The state before, such as `submitted`.
    pub from: String,
    /// The state after, such as `in-review`.
    pub to: String,
    /// The command (`claim`) or the event type (`delivery.ready`) that caused it.
    pub cause: String,
    pub at: DateTime<Utc>,
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

impl Permit {
    /// Returns the names of the registries the permit draws on, in permit
    /// order. Runs, releases and deliveries record them, so that a steward
    /// lists only those of its own registries.
    pub fn registry_names(&self) -> Vec<String> {
        self.registries
            .iter()
            .map(|request| request.registry.name().to_owned())
            .collect()
    }
}

/// The persons whose data from one registry must be left out. The hashes
/// themselves are served by the consent service's internal
/// `GET /v1/permits/{permit_id}/exclusions`, never sent in a message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExclusionList {
    pub registry: Registry,
    /// How many persons are left out.
    pub count: u64,
    /// Lowercase hex SHA-256 over the sorted, concatenated 32-byte
    /// HMAC-SHA256 person hashes, so a release can prove whom it left out.
    pub sha256: String,
    /// For a consent-based registry, the persons with a valid consent that
    /// covers the project at the permit date. Everyone else in the registry,
    /// including persons the consent service has no record of, is left out.
    /// `None` for a registry that needs no consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consented: Option<PersonSet>,
}

/// The size and digest of a set of person hashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonSet {
    pub count: u64,
    /// Lowercase hex SHA-256 over the sorted, concatenated 32-byte hashes.
    pub sha256: String,
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

/// `anonymization.rejected`: the data cannot be released under the profile
/// and the case goes back to a case handler. A superset of [`StepFailed`],
/// so consumers that read every failure as [`StepFailed`] still can.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnonymizationRejected {
    pub application_id: Uuid,
    pub reason: String,
    /// The disclosure report of the rejected attempt in the work store:
    /// settings, levels, suppression and risk, and the failed check.
    pub report: ObjectRef,
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

/// `consent.withdrawn`: consent withdrawals or opt-outs were recorded for
/// persons whom an issued permit did not leave out, so a delivery under
/// that permit may hold their data. The next permit leaves them out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentWithdrawn {
    pub application_id: Uuid,
    pub application_version: i32,
    pub permit_id: Uuid,
    pub project_id: Uuid,
    pub registry: Registry,
    /// Persons with a new withdrawal or opt-out in the import.
    pub persons: u64,
    /// The earliest and latest event date among those withdrawals.
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    /// The consent import that recorded them.
    pub import_id: Uuid,
}

/// `permit.revoked`: the permit no longer allows the data to be held, so
/// every delivery under it is deleted at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermitRevoked {
    pub application_id: Uuid,
    pub permit_id: Uuid,
    /// The reason the permit was revoked, for the record.
    pub reason: String,
    /// The `sub` of the person who revoked it.
    pub revoked_by: String,
    pub revoked_at: DateTime<Utc>,
}

/// The reason a delivery was deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeletionReason {
    /// The permit's end date passed.
    Expired,
    /// The permit was revoked.
    Revoked,
}

/// `delivery.deleted`: the encrypted files of a delivery were removed from
/// the delivery store and can no longer be downloaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryDeleted {
    pub application_id: Uuid,
    pub delivery_id: Uuid,
    pub permit_id: Uuid,
    pub reason: DeletionReason,
    /// How many objects were removed from the store.
    pub objects_deleted: u64,
    pub deleted_at: DateTime<Utc>,
}
