//! HTTP routes under `/v1`, one file per resource action.

mod attachments;
mod audit;
mod catalogue;
mod commands;
mod create;
mod notes;
mod openapi;
mod queue;
mod read;
mod register;
mod statistics;
mod timeline;
mod update;
mod versions;
mod view;
mod webhooks;

use actix_web::web;

pub use openapi::document as openapi_document;
pub use view::{ApplicantView, ApplicationView};

/// Registers the `/v1` routes, the OpenAPI document at `/openapi.json` and
/// Swagger UI at `/swagger-ui/`, whose files are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    config.service(
        web::scope("/v1")
            .route("/applications", web::post().to(create::create))
            .route("/applications", web::get().to(read::list))
            .route("/applications/{id}", web::get().to(read::get))
            .route("/applications/{id}", web::put().to(update::update))
            .route("/applications/{id}/timeline", web::get().to(timeline::get))
            .route("/applications/{id}/notes", web::get().to(notes::list))
            .route(
                "/applications/{id}/versions/{version}/diff",
                web::get().to(versions::diff_versions),
            )
            .route(
                "/applications/{id}/attachments",
                web::get().to(attachments::list),
            )
            .route(
                "/applications/{id}/attachments/{attachment_id}",
                web::get().to(attachments::download),
            )
            .route(
                "/applications/{id}/attachments/{attachment_id}",
                web::delete().to(attachments::delete),
            )
            // Registered before the command route, which would match `notes`
            // and `attachments`.
            .route("/applications/{id}/notes", web::post().to(notes::add))
            .route(
                "/applications/{id}/attachments",
                web::post().to(attachments::upload),
            )
            .route(
                "/applications/{id}/{command}",
                web::post().to(commands::post),
            )
            .route("/queue", web::get().to(queue::list))
            .route("/statistics", web::get().to(statistics::get))
            .route("/audit", web::get().to(audit::list))
            .route("/catalogue", web::get().to(catalogue::get))
            .route("/register", web::get().to(register::list))
            .route("/webhooks", web::post().to(webhooks::subscribe))
            .route("/webhooks", web::get().to(webhooks::list))
            .route("/webhooks/{id}", web::delete().to(webhooks::unsubscribe)),
    );
}
