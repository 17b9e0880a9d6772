//! HTTP routes under `/v1`.

pub mod access;
mod access_log;
mod deliveries;
mod download;
mod grants;
pub mod openapi;
pub mod range;
mod recipients;

use actix_web::web;
use hap_kit::auth::access::Method::{Get, Post};
use hap_kit::auth::access::register as route;

/// Registers the `/v1` routes through the access table, the OpenAPI
/// document at `/openapi.json` and Swagger UI at `/swagger-ui/`, whose files
/// are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    let table = access::TABLE;
    route(config, table, Get, "/v1/downloads", access_log::by_registry);
    route(config, table, Get, "/v1/deliveries", deliveries::list);
    route(config, table, Get, "/v1/deliveries/{id}", deliveries::get);
    route(
        config,
        table,
        Get,
        "/v1/deliveries/{id}/downloads",
        deliveries::downloads,
    );
    route(
        config,
        table,
        Get,
        "/v1/deliveries/{id}/events",
        deliveries::events,
    );
    route(
        config,
        table,
        Post,
        "/v1/deliveries/{id}/grants",
        grants::create,
    );
    route(
        config,
        table,
        Post,
        "/v1/deliveries/{id}/recipients",
        recipients::add,
    );
    route(
        config,
        table,
        Get,
        "/v1/deliveries/{id}/files/{name}",
        download::file,
    );
    // Registered last, so that each route above handles its own method first.
    hap_kit::auth::access::answer_other_methods(config, table);
}
