//! The parts that the OpenAPI 3.1 document of every service shares: the
//! problem schema of error responses, the `bearer` security scheme, and
//! serving the document at `/openapi.json` with Swagger UI at `/swagger-ui/`.

use actix_web::web;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, ToSchema};
use utoipa_swagger_ui::SwaggerUi;

/// The path the OpenAPI document is served at.
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// An RFC 9457 problem, the body of every error response.
///
/// Some problems carry more members next to these, such as `limit`,
/// `pointer` or `errors`, so the schema allows additional properties.
#[derive(Serialize, ToSchema)]
pub struct ProblemBody {
    /// A stable URN per kind of problem, such as `urn:hap:problem:not-found`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code of the response.
    pub status: u16,
    /// A sentence for people, which may name the offending value.
    pub detail: String,
}

/// Declares the `bearer` scheme the annotated routes name: an OpenID Connect
/// access token (JWT) in the `Authorization` header.
pub struct BearerAuth;

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

/// Registers `document` at [`DOCUMENT_PATH`] and Swagger UI, whose files
/// are compiled into the binary, at `/swagger-ui/`.
pub fn serve_document(config: &mut web::ServiceConfig, document: utoipa::openapi::OpenApi) {
    config.service(SwaggerUi::new("/swagger-ui/{_:.*}").url(DOCUMENT_PATH, document));
}
