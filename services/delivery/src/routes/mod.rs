//! HTTP routes under `/v1`.

mod deliveries;
mod download;

use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(
        web::scope("/v1")
            .route("/deliveries", web::get().to(deliveries::list))
            .route("/deliveries/{id}", web::get().to(deliveries::get))
            .route(
                "/deliveries/{id}/downloads",
                web::get().to(deliveries::downloads),
            )
            .route(
                "/deliveries/{id}/files/{name}",
                web::get().to(download::file),
            ),
    );
}
