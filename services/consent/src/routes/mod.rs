//! HTTP routes under `/v1`.

mod applications;
mod exclusions;
mod history;
mod import;
pub mod openapi;
mod registries;

use actix_web::web;

/// Registers the `/v1` routes, the OpenAPI document at `/openapi.json` and
/// Swagger UI at `/swagger-ui/`, whose files are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    config.service(
        web::scope("/v1")
            .route("/registries", web::get().to(registries::list))
            .route(
                "/registries/{registry}/consent-events",
                web::post().to(import::import),
            )
            .route(
                "/registries/{registry}/consent-history",
                web::post().to(history::history),
            )
            .route(
                "/permits/{permit_id}/exclusions",
                web::get().to(exclusions::exclusions),
            )
            .route(
                "/applications/{id}/assessments",
                web::get().to(applications::assessments),
            )
            .route(
                "/applications/{id}/permits",
                web::get().to(applications::permits),
            ),
    );
}
