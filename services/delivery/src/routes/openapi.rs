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
        title = "HAP delivery",
        description = "Encrypted deliveries of released data to the recipients a permit names: \
                       download grants, resumable downloads, recipients added later, and the \
                       access log and lifecycle events for auditors and registry stewards. \
                       Errors are application/problem+json."
    ),
    paths(
        super::access_log::by_registry,
        super::deliveries::list,
        super::deliveries::get,
        super::deliveries::downloads,
        super::deliveries::events,
        super::grants::create,
        super::recipients::add,
        super::download::file,
    ),
    modifiers(&BearerAuth, &DATABASE_UNAVAILABLE),
)]
pub struct ApiDoc;

/// The operations whose handlers never query the database, so they never
/// return 503.
pub const WITHOUT_DATABASE: &[(Method, &str)] = &[];

const DATABASE_UNAVAILABLE: DatabaseUnavailable = DatabaseUnavailable {
    without_database: WITHOUT_DATABASE,
};

/// Returns the document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// A delivery of encrypted files.
#[derive(ToSchema)]
pub struct DeliveryBody {
    pub id: Uuid,
    pub application_id: Uuid,
    pub permit_id: Uuid,
    pub project_id: Uuid,
    /// The `sub` claims of the recipients named in the permit or added later.
    pub recipients: Vec<String>,
    pub files: Vec<DeliveryFile>,
    /// The permit's end date, after which the files are deleted.
    pub expires_on: NaiveDate,
    pub created_at: DateTime<Utc>,
    /// The registries the delivered data draws on.
    pub registries: Vec<String>,
    #[schema(inline)]
    pub state: DeliveryState,
    /// When the files were deleted, on expiry or revocation.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The state of a delivery.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum DeliveryState {
    Available,
    Expired,
    Revoked,
}

/// One encrypted file of a delivery.
#[derive(ToSchema)]
pub struct DeliveryFile {
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the encrypted file, in hex.
    pub sha256: String,
}

/// The deliveries of an application that the caller may see.
#[derive(ToSchema)]
pub struct DeliveryList {
    pub items: Vec<DeliveryBody>,
}

/// A page of the downloads of every delivery that drew on a registry.
#[derive(ToSchema)]
pub struct RegistryDownloads {
    pub registry: String,
    /// Oldest first, at most 1,000.
    pub items: Vec<RegistryDownload>,
    /// The `after` of the next page, or null at the end.
    pub next: Option<i64>,
}

/// One download of a delivery drawing on the registry.
#[derive(ToSchema)]
pub struct RegistryDownload {
    pub id: i64,
    pub delivery_id: Uuid,
    pub application_id: Uuid,
    pub subject: String,
    pub file: String,
    /// The first byte of a ranged download.
    pub range_start: Option<i64>,
    pub bytes: i64,
    pub at: DateTime<Utc>,
}

/// The access log of one delivery.
#[derive(ToSchema)]
pub struct DeliveryDownloads {
    pub delivery_id: Uuid,
    pub registries: Vec<String>,
    pub items: Vec<DownloadEntry>,
}

/// One download: who, when, which file and how many bytes.
#[derive(ToSchema)]
pub struct DownloadEntry {
    pub subject: String,
    pub file: String,
    /// The first byte of a ranged download.
    pub range_start: Option<i64>,
    pub bytes: i64,
    pub at: DateTime<Utc>,
    pub grant_id: Option<Uuid>,
}

/// The lifecycle events of one delivery.
#[derive(ToSchema)]
pub struct DeliveryEvents {
    pub delivery_id: Uuid,
    #[schema(inline)]
    pub state: DeliveryState,
    pub deleted_at: Option<DateTime<Utc>>,
    pub items: Vec<DeliveryEvent>,
}

/// A recipient added, or the deletion on expiry or revocation.
#[derive(ToSchema)]
pub struct DeliveryEvent {
    /// `recipient-added`, `expired` or `revoked`.
    pub event: String,
    pub actor: String,
    pub detail: Value,
    pub at: DateTime<Utc>,
}

/// A download grant. The token is returned only here.
#[derive(ToSchema)]
pub struct GrantBody {
    pub grant_id: Uuid,
    pub delivery_id: Uuid,
    /// Pass it as `?grant=` to download a file.
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub files: Vec<GrantFile>,
}

/// A file of a grant with its download URL.
#[derive(ToSchema)]
pub struct GrantFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// The path of the download, with the grant token.
    pub url: String,
}
