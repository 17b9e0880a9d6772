//! The OpenAPI 3.1 document of the `/v1` API, built at compile time from the
//! `#[utoipa::path]` annotations on the route handlers.

use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// An RFC 9457 problem, the body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// A stable URN per kind of problem, such as `urn:hap:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// A sentence for people; may name the offending value.
    pub detail: String,
}

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
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

/// Declares the `bearer` scheme the annotated routes name: an OpenID Connect
/// access token (JWT) in the `Authorization` header.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Returns the document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
