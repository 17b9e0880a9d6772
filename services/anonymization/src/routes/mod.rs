//! HTTP routes under `/v1`.

pub mod access;
pub mod openapi;
mod releases;

use actix_web::web;
use hap_kit::auth::access::Method::Get;
use hap_kit::auth::access::register as route;

/// Registers the `/v1` routes through the access table, the OpenAPI
/// document at `/openapi.json` and Swagger UI at `/swagger-ui/`, whose files
/// are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    route(config, access::TABLE, Get, "/v1/releases", releases::list);
    // Registered last, so that each route above handles its own method first.
    hap_kit::auth::access::answer_other_methods(config, access::TABLE);
}
