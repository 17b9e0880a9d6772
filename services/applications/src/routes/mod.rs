//! HTTP routes under `/v1`, one file per resource action.

pub mod access;
mod attachments;
mod audit;
mod catalogue;
mod commands;
mod create;
mod notes;
pub mod openapi;
mod queue;
mod read;
mod reads;
mod register;
mod statistics;
mod timeline;
mod update;
mod versions;
mod view;
mod webhooks;

use actix_web::web;
use hap_kit::auth::access::Method::{Delete, Get, Post, Put};
use hap_kit::auth::access::register as route;

pub use openapi::document as openapi_document;
pub use view::{ApplicantView, ApplicationView};

/// Registers the `/v1` routes through the access table, the OpenAPI
/// document at `/openapi.json` and Swagger UI at `/swagger-ui/`, whose files
/// are compiled into the binary.
pub fn configure(config: &mut web::ServiceConfig) {
    hap_kit::openapi::serve_document(config, openapi::document());
    let table = access::TABLE;
    route(config, table, Post, "/v1/applications", create::create);
    route(config, table, Get, "/v1/applications", read::list);
    route(config, table, Get, "/v1/applications/{id}", read::get);
    route(config, table, Put, "/v1/applications/{id}", update::update);
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/timeline",
        timeline::get,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/notes",
        notes::list,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/versions/{version}/diff",
        versions::diff_versions,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/attachments",
        attachments::list,
    );
    route(
        config,
        table,
        Get,
        "/v1/applications/{id}/attachments/{attachment_id}",
        attachments::download,
    );
    route(
        config,
        table,
        Delete,
        "/v1/applications/{id}/attachments/{attachment_id}",
        attachments::delete,
    );
    // Registered before the command route, which would match `notes` and
    // `attachments`.
    route(
        config,
        table,
        Post,
        "/v1/applications/{id}/notes",
        notes::add,
    );
    route(
        config,
        table,
        Post,
        "/v1/applications/{id}/attachments",
        attachments::upload,
    );
    route(
        config,
        table,
        Post,
        "/v1/applications/{id}/{command}",
        commands::post,
    );
    route(config, table, Get, "/v1/queue", queue::list);
    route(config, table, Get, "/v1/statistics", statistics::get);
    route(config, table, Get, "/v1/audit", audit::list);
    route(config, table, Get, "/v1/catalogue", catalogue::get);
    route(config, table, Get, "/v1/register", register::list);
    route(config, table, Post, "/v1/webhooks", webhooks::subscribe);
    route(config, table, Get, "/v1/webhooks", webhooks::list);
    route(
        config,
        table,
        Delete,
        "/v1/webhooks/{id}",
        webhooks::unsubscribe,
    );
    // Registered last, so that each route above handles its own method first.
    hap_kit::auth::access::answer_other_methods(config, table);
}
