//! HTTP routes under `/v1`.

pub mod access;
mod feasibility;
pub mod openapi;
mod runs;

use actix_web::web;
use hap_kit::auth::access::Method::{Get, Post};
use hap_kit::auth::access::register as route;

/// Registers the `/v1` routes through the access table, the OpenAPI
/// document at `/openapi.json` and Swagger UI at `/swagger-ui/`, whose files
/// are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    let table = access::TABLE;
    route(config, table, Get, "/v1/runs", runs::list);
    route(config, table, Post, "/v1/feasibility", feasibility::count);
    // Registered last, so that each route above handles its own method first.
    hap_kit::auth::access::answer_other_methods(config, table);
}
