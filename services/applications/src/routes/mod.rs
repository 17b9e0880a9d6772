//! HTTP routes under `/v1`, one file per resource action.

mod commands;
mod create;
mod queue;
mod read;
mod timeline;
mod update;
mod view;

use actix_web::web;

pub use view::ApplicationView;

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/v1")
            .route("/applications", web::post().to(create::create))
            .route("/applications", web::get().to(read::list))
            .route("/applications/{id}", web::get().to(read::get))
            .route("/applications/{id}", web::put().to(update::update))
            .route("/applications/{id}/timeline", web::get().to(timeline::get))
            .route(
                "/applications/{id}/{command}",
                web::post().to(commands::post),
            )
            .route("/queue", web::get().to(queue::list)),
    );
}
