//! HTTP routes under `/v1`.

mod feasibility;
mod runs;

use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/v1")
            .route("/runs", web::get().to(runs::list))
            .route("/feasibility", web::post().to(feasibility::count)),
    );
}
