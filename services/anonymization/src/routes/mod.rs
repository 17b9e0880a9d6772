//! HTTP routes under `/v1`.

pub mod openapi;
mod releases;

use actix_web::web;

/// Registers the `/v1` routes, the OpenAPI document at `/openapi.json` and
/// Swagger UI at `/swagger-ui/`, whose files are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    config.service(web::scope("/v1").route("/releases", web::get().to(releases::list)));
}
