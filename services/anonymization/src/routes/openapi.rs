//! The OpenAPI 3.1 document of the `/v1` API, built at compile time from the
//! `#[utoipa::path]` annotations on the route handlers, and the schemas of
//! the response bodies that the handlers build as JSON values.

use chrono::{DateTime, Utc};
use hap_kit::auth::access::Method;
pub use hap_kit::openapi::ProblemBody;
use hap_kit::openapi::{BearerAuth, DatabaseUnavailable};
use serde_json::Value;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HAP anonymization",
        description = "The releases of approved applications with their statistical \
                       disclosure-control reports. Errors are application/problem+json."
    ),
    paths(super::releases::list),
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

/// The releases of an application, oldest first.
#[derive(ToSchema)]
pub struct ReleaseList {
    pub items: Vec<ReleaseBody>,
}

/// One release with its disclosure-control report.
#[derive(ToSchema)]
pub struct ReleaseBody {
    pub id: Uuid,
    pub application_id: Uuid,
    /// The application version the permit approved.
    pub version: i32,
    pub permit_id: Uuid,
    /// The k of k-anonymity the release meets.
    pub k: i32,
    pub records_suppressed: i64,
    pub rows_released: i64,
    /// The disclosure-control report of the release.
    pub report: Value,
    pub created_at: DateTime<Utc>,
}
