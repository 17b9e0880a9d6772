//! HTTP routes under `/v1`.

pub mod access;
mod releases;

use actix_web::web;
use hap_kit::auth::access::Method::Get;
use hap_kit::auth::access::register as route;

pub fn configure(config: &mut web::ServiceConfig) {
    route(config, access::TABLE, Get, "/v1/releases", releases::list);
}
