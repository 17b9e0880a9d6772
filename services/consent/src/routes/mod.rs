//! HTTP routes under `/v1`.

mod applications;
mod exclusions;
mod history;
mod import;
mod registries;

use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
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
