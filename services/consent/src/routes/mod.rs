//! HTTP routes under `/v1`.

pub mod access;
mod access_log;
mod applications;
mod exclusions;
mod history;
mod import;
pub mod openapi;
mod registries;

use actix_web::web;
use hap_kit::auth::access::Method::{Get, Post};
use hap_kit::auth::access::register as route;

/// Registers the `/v1` routes through the access table, the OpenAPI
/// document at `/openapi.json` and Swagger UI at `/swagger-ui/`, whose files
/// are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    let table = access::TABLE;
    route(config, table, Get, "/v1/registries", registries::list);
    route(
        config,
        table,
        Post,
        "/v1/registries/{registry}/consent-events",
        import::import,
    );
    route(
        config,
        table,
        Post,
        "/v1/registries/{registry}/consent-history",
        history::history,
    );
    route(
        config,
        table,
        Get,
        "/v1/permits/{permit_id}/exclusions",
        exclusions::exclusions,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/assessments",
        applications::assessments,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/permits",
        applications::permits,
    );
    route(config, table, Get, "/v1/access-log", access_log::list);
    // Registered last, so that each route above handles its own method first.
    hap_kit::auth::access::answer_other_methods(config, table);
}
