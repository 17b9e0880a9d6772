//! HTTP routes under `/v1`.

mod releases;

use actix_web::web;

pub fn configure(config: &mut web::ServiceConfig) {
    config.service(web::scope("/v1").route("/releases", web::get().to(releases::list)));
}
