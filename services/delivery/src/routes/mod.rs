//! HTTP routes under `/v1`.

mod access_log;
mod deliveries;
mod download;
mod grants;
pub mod openapi;
pub mod range;
mod recipients;

use actix_web::web;

/// Registers the `/v1` routes, the OpenAPI document at `/openapi.json` and
/// Swagger UI at `/swagger-ui/`, whose files are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    config.service(
        web::scope("/v1")
            .route("/downloads", web::get().to(access_log::by_registry))
            .route("/deliveries", web::get().to(deliveries::list))
            .route("/deliveries/{id}", web::get().to(deliveries::get))
            .route(
                "/deliveries/{id}/downloads",
                web::get().to(deliveries::downloads),
            )
            .route("/deliveries/{id}/events", web::get().to(deliveries::events))
            .route("/deliveries/{id}/grants", web::post().to(grants::create))
            .route(
                "/deliveries/{id}/recipients",
                web::post().to(recipients::add),
            )
            .route(
                "/deliveries/{id}/files/{name}",
                web::get().to(download::file),
            ),
    );
}
