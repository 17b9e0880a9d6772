//! The OpenAPI 3.1 document of the `/v1` API, built at compile time from the
//! `#[utoipa::path]` annotations on the route handlers, and the schemas of
//! the response bodies that the handlers build as JSON values.

use chrono::{DateTime, NaiveDate, Utc};
use hap_kit::auth::access::Method;
pub use hap_kit::openapi::ProblemBody;
use hap_kit::openapi::{BearerAuth, DatabaseUnavailable};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HAP consent",
        description = "The legal basis of each registry, consent and opt-out imports by registry \
                       stewards, a person's consent history, the legal-basis assessments and permits \
                       of applications, the exclusion lists of permits, and the log of \
                       every read of personal data. Errors are application/problem+json."
    ),
    paths(
        super::registries::list,
        super::import::import,
        super::history::history,
        super::exclusions::exclusions,
        super::applications::assessments,
        super::applications::permits,
        super::access_log::list,
    ),
    modifiers(&BearerAuth, &DATABASE_UNAVAILABLE),
)]
pub struct ApiDoc;

/// The operations whose handlers never query the database, so they never
/// return 503. The registries' legal bases are read from the settings at start.
pub const WITHOUT_DATABASE: &[(Method, &str)] = &[(Method::Get, "/v1/registries")];

const DATABASE_UNAVAILABLE: DatabaseUnavailable = DatabaseUnavailable {
    without_database: WITHOUT_DATABASE,
};

/// Returns the document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The registries with their legal basis.
#[derive(ToSchema)]
pub struct RegistryList {
    pub items: Vec<RegistryBasisBody>,
}

/// A registry's legal basis and data-use conditions.
#[derive(ToSchema)]
pub struct RegistryBasisBody {
    /// A registry name such as `cancer`.
    pub registry: String,
    #[schema(inline)]
    pub kind: BasisKindBody,
    /// GA4GH Data Use Ontology terms, such as `DUO:0000042`.
    pub duo_terms: Vec<String>,
    pub commercial_use: bool,
    pub ethics_approval_required: bool,
    /// ICD-10 prefixes that a disease-specific consent covers.
    pub disease_codes: Vec<String>,
    /// The maximum permit period in months, when use is time-limited.
    pub time_limit_months: Option<u32>,
}

/// The legal ground on which a registry may be used.
#[derive(ToSchema)]
#[schema(rename_all = "kebab-case")]
pub enum BasisKindBody {
    Statutory,
    OptOut,
    ConsentBased,
}

/// The outcome of a consent import.
#[derive(ToSchema)]
pub struct ImportSummary {
    pub import_id: Uuid,
    pub registry: String,
    /// Rows stored.
    pub accepted: u64,
    /// Valid rows already stored by an earlier import.
    pub duplicates: u64,
    pub rejected: Vec<RejectedRowBody>,
}

/// A row that was not imported. It never contains the identity number.
#[derive(ToSchema)]
pub struct RejectedRowBody {
    /// The line number in the file, the header being line 1.
    pub line: u64,
    pub reason: String,
}

/// A person's consent and opt-out events in one registry, oldest first.
#[derive(ToSchema)]
pub struct ConsentHistory {
    pub registry: String,
    pub events: Vec<HistoryEntryBody>,
}

/// One consent or opt-out event.
#[derive(ToSchema)]
pub struct HistoryEntryBody {
    /// `given`, `changed`, `withdrawn`, `opted-out` or `opt-out-revoked`.
    pub event: String,
    pub scope: String,
    pub event_date: NaiveDate,
    pub source: String,
    pub recorded_at: DateTime<Utc>,
    pub import_id: Uuid,
}

/// The persons a permit leaves out, per registry.
#[derive(ToSchema)]
pub struct PermitExclusions {
    pub permit_id: Uuid,
    pub registries: Vec<RegistryExclusionsBody>,
}

/// The persons a permit leaves out of one registry and, for a
/// consent-based registry, the persons whose data it may use.
#[derive(ToSchema)]
pub struct RegistryExclusionsBody {
    pub registry: String,
    pub count: i64,
    /// The SHA-256 digest of the sorted, concatenated person hashes, in hex.
    pub sha256: String,
    /// The persons' keyed hashes in hex, sorted ascending.
    pub person_hashes: Vec<String>,
    /// Only for a consent-based registry: the persons whose consent covers
    /// the project. Rows of everyone else in that registry are left out.
    pub consented: Option<PersonListBody>,
}

/// A set of persons' keyed hashes with its count and digest.
#[derive(ToSchema)]
pub struct PersonListBody {
    pub count: i64,
    /// The SHA-256 digest of the sorted, concatenated person hashes, in hex.
    pub sha256: String,
    /// The persons' keyed hashes in hex, sorted ascending.
    pub person_hashes: Vec<String>,
}

/// The legal-basis assessments or permits of an application.
#[derive(ToSchema)]
pub struct ApplicationRecords {
    pub application_id: Uuid,
    /// Oldest first.
    pub items: Vec<Value>,
}

/// A page of the access log.
#[derive(ToSchema)]
pub struct AccessLogPage {
    pub items: Vec<AccessLogEntryBody>,
    /// The `after` of the next page, or null at the end.
    pub next: Option<i64>,
}

/// One read of personal data through the API.
#[derive(ToSchema)]
pub struct AccessLogEntryBody {
    pub id: i64,
    pub at: DateTime<Utc>,
    /// The token subject of the caller.
    pub actor: String,
    /// The caller's roles at the time of the read.
    pub roles: Vec<String>,
    /// `consent-history` or `exclusions`.
    pub action: String,
    pub registry: Option<String>,
    /// The keyed hash of the person, in hex, for a consent history.
    pub person_hash: Option<String>,
    pub permit_id: Option<Uuid>,
    /// Counts of what the response contained.
    #[schema(value_type = Object)]
    pub detail: Value,
}
