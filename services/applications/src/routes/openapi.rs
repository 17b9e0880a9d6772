//! The OpenAPI 3.1 document of the `/v1` API, built at compile time from the
//! `#[utoipa::path]` annotations on the route handlers.

use hap_kit::auth::access::Method;
pub use hap_kit::openapi::ProblemBody;
use hap_kit::openapi::{BearerAuth, DatabaseUnavailable};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "HAP applications",
        description = "Applications for registry data, the case-handler queue, decisions, \
                       attachments, the deadline clock, the audit trail and the public register of approved uses. \
                       Errors are application/problem+json; lists page by cursor; updates need If-Match."
    ),
    paths(
        super::create::create,
        super::read::list,
        super::read::get,
        super::update::update,
        super::timeline::get,
        super::versions::diff_versions,
        super::notes::list,
        super::notes::add,
        super::attachments::upload,
        super::attachments::list,
        super::attachments::download,
        super::attachments::delete,
        super::commands::post,
        super::queue::list,
        super::statistics::get,
        super::audit::list,
        super::catalogue::get,
        super::register::list,
        super::webhooks::subscribe,
        super::webhooks::list,
        super::webhooks::unsubscribe,
    ),
    components(schemas(ProblemBody)),
    modifiers(&BearerAuth, &DATABASE_UNAVAILABLE),
)]
pub struct ApiDoc;

/// The operations whose handlers never query the database, so they never
/// return 503. The catalogue is compiled into the binary.
pub const WITHOUT_DATABASE: &[(Method, &str)] = &[(Method::Get, "/v1/catalogue")];

const DATABASE_UNAVAILABLE: DatabaseUnavailable = DatabaseUnavailable {
    without_database: WITHOUT_DATABASE,
};

/// Returns the document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
