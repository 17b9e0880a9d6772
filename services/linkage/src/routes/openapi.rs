//! The OpenAPI 3.1 document of the `/v1` API, built at compile time from the
//! `#[utoipa::path]` annotations on the route handlers, and the schemas of
//! the response bodies that the handlers build as JSON values.

use chrono::{DateTime, Utc};
use hap_kit::auth::access::Method;
pub use hap_kit::openapi::ProblemBody;
use hap_kit::openapi::{BearerAuth, DatabaseUnavailable};
use serde_json::Value;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HAP linkage",
        description = "Feasibility counts for applicants before they apply, and the reports \
                       (counts only) of the linkage runs of approved applications. \
                       Errors are application/problem+json."
    ),
    paths(super::runs::list, super::feasibility::count),
    modifiers(&BearerAuth, &DATABASE_UNAVAILABLE),
)]
pub struct ApiDoc;

/// The operations whose handlers never query the database, so they never
/// return 503. Feasibility counts read the registry files.
pub const WITHOUT_DATABASE: &[(Method, &str)] = &[(Method::Post, "/v1/feasibility")];

const DATABASE_UNAVAILABLE: DatabaseUnavailable = DatabaseUnavailable {
    without_database: WITHOUT_DATABASE,
};

/// Returns the document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The linkage runs of an application, oldest first.
#[derive(ToSchema)]
pub struct RunList {
    pub items: Vec<RunBody>,
}

/// One linkage run with its report.
#[derive(ToSchema)]
pub struct RunBody {
    pub id: Uuid,
    pub application_id: Uuid,
    /// The application version the permit approved.
    pub version: i32,
    pub permit_id: Uuid,
    pub cohort_size: i64,
    /// The linkage report, which contains counts only.
    pub report: Value,
    pub duration_ms: i64,
    pub finished_at: DateTime<Utc>,
}

/// The size of the cohort that the criteria select.
#[derive(ToSchema)]
pub struct FeasibilityBody {
    #[schema(schema_with = rounded_count_schema)]
    pub cohort_size: u64,
}

/// Returns the schema of a published count: `"<5"` below 5, else the
/// count rounded to a multiple of 5.
fn rounded_count_schema() -> Schema {
    let rounded = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(5))
        .multiple_of(Some(5));
    let small = ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(["<5"]));
    OneOfBuilder::new()
        .item(rounded)
        .item(small)
        .description(Some(
            "`\"<5\"` below 5, else the count rounded to a multiple of 5",
        ))
        .into()
}
